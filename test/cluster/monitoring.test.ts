/** monitoring.yaml (generic platform) on its own control plane: 3 nodes + 1 GPU node. */
import { describeStack } from './stack';

describeStack('monitoring.yaml', 'monitoring.yaml');
