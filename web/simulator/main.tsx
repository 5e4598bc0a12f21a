import '../workspace/workspace.css';
import './simulator.css';
import { render } from 'preact';
import { Simulator } from './simulator.tsx';

const root = document.getElementById('simulator');
if (root) render(<Simulator />, root);
