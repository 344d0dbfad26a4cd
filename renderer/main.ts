import { mount } from 'svelte';
import App from './App.svelte';
import { connect } from './lib/connect.js';

// One transport for the page's whole life: IPC inside Electron, HTTP + WebSocket in a browser.
const transport = connect();
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

mount(App, { target, props: { api: transport } });
window.addEventListener('pagehide', () => transport.dispose());
