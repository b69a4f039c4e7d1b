/**
 * The layers of src/, lowest first. A folder may import only folders of lower layers (and its
 * own files); the layer table is the rule, so a new folder must be given a place here. Entries
 * of one layer do not import each other: what two stages share belongs a layer down.
 */
const LAYERS = [
  ['model'], // vocabularies and contracts: classes, machines, units, limits, report, gradebook, bisect
  ['util'],
  ['context.ts'], // the run context: the only reader of the environment besides the entry points
  ['config', 'render'],
  ['qemu', 'docker', 'github'],
  ['harness', 'results', 'references'],
  ['compare', 'doctor'],
  ['report'],
  ['grade', 'bisect', 'history'], // history: the runs of the default branch kept over time
  ['session'], // one judging session: references observed once, evaluate(kernel)
  ['run'], // the orchestrators: run, grade, bisect, demo
  ['action', 'commands'],
  ['entry'],
];

const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((name) => [name, i])));
const escape = (name) => name.replace(/[.]/g, '\\.');
const place = (name) => (name.endsWith('.ts') ? `^src/${escape(name)}$` : `^src/${name}/`);

const upward = [...layerOf].flatMap(([name, layer]) => {
  const above = [...layerOf].filter(([other, l]) => other !== name && l >= layer);
  if (above.length === 0) return [];
  return [
    {
      name: `layers: ${name}`,
      comment: `src/${name} is in layer ${layer}: it may import only lower layers (.dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: place(name) },
      to: { path: above.map(([other]) => place(other)) },
    },
  ];
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'layers: every folder has a layer',
      comment: 'a folder of src/ that is not in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        path: '^src/',
        pathNot: [...layerOf.keys()].map(place),
      },
    },
    {
      name: 'orchestrators: none imports another',
      comment:
        'src/run is the orchestrators (run, grade, bisect, demo): what two of them share belongs a layer down (the judging session, src/session). fixtures.ts is leaving src/',
      severity: 'error',
      from: { path: '^src/run/' },
      to: { path: '^src/run/', pathNot: '^src/run/fixtures[.]ts$' },
    },
    {
      name: 'no folder cycles',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no module cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
