/** examples/exposure-gateway-shared.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/exposure-gateway-shared.yaml', 'examples/exposure-gateway-shared.yaml');
