/** `npm run schema`: write monitoring-stack.schema.json (JSON Schema of the spec, for editors) from the zod schema. */
import * as fs from 'fs';
import { specJsonSchema } from '../charts/spec/json-schema';

fs.writeFileSync('monitoring-stack.schema.json', `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
console.log('wrote monitoring-stack.schema.json');
