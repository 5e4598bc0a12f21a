// What a function's bundle has in place of each package of a part it leaves out (see bundling.ts): nothing.
// The composition root builds no client or adapter of that part, so nothing of the package is ever used.
module.exports = {};
