/** examples/k3s.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/k3s.yaml', 'examples/k3s.yaml');
