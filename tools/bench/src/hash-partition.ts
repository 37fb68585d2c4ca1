/**
 * `node tools/bench/dist/hash-partition.js <database-url> <world-id> <branch>`: computes the
 * relational lens's state hash of one partition with the SDK, as the projector does, and prints
 * `{"seconds","maxRssMb","stateHash","watermark"}`. A process of its own, so its peak RSS is the hash's.
 */
import { computeStateHash, connectDatabase } from '@projectors/projector-sdk';
import { relLens } from '@projectors/lens-rel';

const [url, worldId, branch] = process.argv.slice(2);
if (!url || !worldId || !branch) {
  process.stderr.write('usage: hash-partition <database-url> <world-id> <branch>\n');
  process.exit(2);
}
const sql = connectDatabase(url, { max: 1, applicationName: 'bench-hash-partition' });
try {
  const started = performance.now();
  const { watermark, stateHash } = await computeStateHash(sql, relLens, { worldId, branch });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is in kilobytes.
  const maxRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  process.stdout.write(`${JSON.stringify({ seconds: Math.round(seconds * 1000) / 1000, maxRssMb, stateHash, watermark })}\n`);
} finally {
  await sql.end({ timeout: 5 });
}
