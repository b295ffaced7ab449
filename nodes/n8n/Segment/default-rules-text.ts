import { DEFAULT_SEGMENT_RULES } from '../../core/segment/segments';

/** The default rules as the editor shows them: one rule per line, so the grid reads like a table. */
export function defaultSegmentRulesText(): string {
  const line = (rule: object) => `    ${JSON.stringify(rule).replace(/,"/g, ', "').replace(/":/g, '": ')}`;
  return `{\n  "rules": [\n${DEFAULT_SEGMENT_RULES.map(line).join(',\n')}\n  ],\n  "fallback": "Other"\n}`;
}
