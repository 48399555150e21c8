#!/usr/bin/env node
// Writes iris-synthetic.csv: 150 synthetic flowers drawn from normal distributions with the
// per-species means and standard deviations of Fisher's iris data. Seeded, so every run writes
// the same bytes: `node generate-iris-synthetic.js > iris-synthetic.csv`.

function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(20261127);
function normal(mean, std) {
  const u = 1 - random();
  const v = random();
  return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

// [mean, std] of sepal length, sepal width, petal length, petal width (cm).
const species = {
  setosa: [
    [5.01, 0.35],
    [3.43, 0.38],
    [1.46, 0.17],
    [0.25, 0.11],
  ],
  versicolor: [
    [5.94, 0.52],
    [2.77, 0.31],
    [4.26, 0.47],
    [1.33, 0.2],
  ],
  virginica: [
    [6.59, 0.64],
    [2.97, 0.32],
    [5.55, 0.55],
    [2.03, 0.27],
  ],
};

const lines = ['sepal_length,sepal_width,petal_length,petal_width,species'];
for (const [name, features] of Object.entries(species)) {
  for (let i = 0; i < 50; i++) {
    const values = features.map(([mean, std]) =>
      Math.max(0.1, normal(mean, std)).toFixed(1),
    );
    lines.push([...values, name].join(','));
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
