// Prices orders with the phone's rule (static/js/pricing.js) for tests/sync/test_offline_pricing.py.
// Reads {catalogue, cases: [{client, lines, options}]} as JSON on stdin and writes the totals of
// each case as a JSON list on stdout.
import { priceOrder } from "../../static/js/pricing.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { catalogue, cases } = JSON.parse(input);
const answers = cases.map(({ client, lines, options }) => {
  const result = priceOrder(client, catalogue, lines, options);
  return { missing: result.missing, condition: result.condition?.id ?? null, ...result.totals };
});
process.stdout.write(JSON.stringify(answers));
