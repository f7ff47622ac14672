/** examples/k3s-single-server.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/k3s-single-server.yaml', 'examples/k3s-single-server.yaml');
