// A Pooldeck worker for the bench: return x*x, with the shipped Node helper.
const { serve } = require('../../resources/workers/pooldeck-worker.cjs');
serve((x) => x * x);
