// jupyterlab's examples/app/rspack.config.js, as a production build: one bundle plus the extensions'
// schemas and themes (copied by @jupyter/builder's Build.ensureAssets) under build/.
const path = require('node:path');
const rspack = require('@rspack/core');
const { Build } = require('@jupyter/builder');
const miniSVGDataURI = require('mini-svg-data-uri');
const data = require('./package.json');

const build = path.join(__dirname, 'build');
const assets = Build.ensureAssets({
  packageNames: [...data.jupyterlab.extensions, ...data.jupyterlab.mimeExtensions],
  output: build,
});

module.exports = [
  {
    entry: ['./index.js'],
    output: { path: build, filename: 'bundle.js' },
    bail: true,
    devtool: false,
    mode: 'production',
    performance: { hints: false },
    // mathjax-full's loader reads __dirname only under Node; in the browser rspack's mock is right.
    ignoreWarnings: [/"__dirname" is used and has been mocked/],
    module: {
      rules: [
        // @jupyter/web-components imports without file extensions (as @jupyter/builder's own config allows).
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.raw\.css$/, type: 'asset/source' },
        { test: /\.html$/, type: 'asset/resource' },
        { test: /\.md$/, type: 'asset/source' },
        { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
        { test: /\.js.map$/, type: 'asset/resource' },
        { test: /\.woff2?(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
        { test: /\.ttf(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, type: 'asset/resource' },
        {
          // In .css files, svg is loaded as a data URI.
          test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
          issuer: /\.css$/,
          type: 'asset/inline',
          generator: { dataUrl: { content: (content) => miniSVGDataURI(content.content), mimetype: 'image/svg+xml' } },
        },
        // In (compiled) .js files, svg is a raw string.
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' },
      ],
    },
    plugins: [
      new rspack.DefinePlugin({
        // Needed for packages using cwd(), like the path polyfill.
        process: { cwd: () => '/', env: {} },
      }),
    ],
  },
].concat(assets);
