import { type DefinitionRead, readYamlWith } from '../shared/data-file.ts';
import { type CampaignDefinition, ZCampaignDefinition } from './definition.ts';

export {
  type DefinitionProblem,
  type DefinitionRead,
  fieldPath,
  formatProblem,
  readYamlWith,
} from '../shared/data-file.ts';

/** A campaign definition file read and validated (see core/campaigns/definition.ts). */
export function readCampaignDefinition(text: string): DefinitionRead<CampaignDefinition> {
  return readYamlWith(text, ZCampaignDefinition);
}
