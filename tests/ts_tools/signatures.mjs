// The exported functions of TypeScript modules, read with the TypeScript compiler's type checker.
//
// Usage: node signatures.mjs <typescript module dir> <file.ts>...
// Prints JSON {file: {function: [parameter, ...]}}: a parameter named `options` is listed as
// "{a,b,...}" with the property names of its type (sorted), every other one by its name.
import { createRequire } from "node:module";
import path from "node:path";

const [typescriptDir, ...files] = process.argv.slice(2);
const require = createRequire(path.resolve(typescriptDir, "package.json"));
const ts = require("typescript");

const program = ts.createProgram(files, {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
});
const checker = program.getTypeChecker();
const out = {};
for (const file of files) {
  const source = program.getSourceFile(file);
  const functions = {};
  for (const statement of source.statements) {
    if (!ts.isFunctionDeclaration(statement) || !statement.name) continue;
    const exported = (ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) !== 0;
    if (!exported) continue;
    functions[statement.name.text] = statement.parameters.map((p) => {
      const name = p.name.getText(source);
      if (name !== "options") return p.dotDotDotToken ? `...${name}` : name;
      const type = checker.getNonNullableType(checker.getTypeAtLocation(p));
      return `{${checker.getPropertiesOfType(type).map((s) => s.name).sort().join(",")}}`;
    });
  }
  out[file] = functions;
}
process.stdout.write(JSON.stringify(out));
