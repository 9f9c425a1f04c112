import htm from 'htm';
import { h, type VNode } from 'preact';

/**
 * Tagged templates that build Preact elements (htm), so the page needs no JSX step:
 * html`<a href=${url}>${label}</a>`.
 */
export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
