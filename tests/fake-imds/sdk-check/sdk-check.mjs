// SPDX-License-Identifier: Apache-2.0
// Reads meta-data/mac from the fake IMDS with the AWS SDK for JavaScript's own IMDS client,
// a client nobody in this project wrote. Usage: node sdk-check.mjs PORT
import { MetadataService } from "@aws-sdk/ec2-metadata-service";

const port = process.argv[2];
if (!/^[0-9]+$/.test(port ?? "")) {
  console.error("usage: node sdk-check.mjs PORT");
  process.exit(2);
}

const imds = new MetadataService({
  endpoint: `http://127.0.0.1:${port}`,
  // IMDSv2 only: without this the client silently falls back to token-less IMDSv1
  // requests when the token PUT fails.
  ec2MetadataV1Disabled: true,
  httpOptions: { timeout: 5000 },
  retries: 0,
});

try {
  console.log(await imds.request("/latest/meta-data/mac", {}));
} catch (err) {
  console.error(`sdk-check: ${err.message}`);
  process.exit(1);
}
