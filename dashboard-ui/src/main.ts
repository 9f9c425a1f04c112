// The dashboard page: renders the app into #app and routes in the browser (history.pushState).
import { render } from 'preact';
import { App } from './components/app.js';
import { html } from './html.js';
import { startRouter } from './router.js';

startRouter();
const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
