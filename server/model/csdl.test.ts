import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { csdlXml } from './csdl.ts';

const schemaDir = join(dirname(createRequire(import.meta.url).resolve('odata-csdl/package.json')), 'schemas');

describe('$metadata CSDL', () => {
  it('validates against the OASIS edmx and edm schemas', async () => {
    const [edmx, edm] = await Promise.all([
      readFile(join(schemaDir, 'edmx.xsd'), 'utf8'),
      readFile(join(schemaDir, 'edm.xsd'), 'utf8'),
    ]);
    const result = await validateXML({
      xml: [{ fileName: 'metadata.xml', contents: csdlXml() }],
      schema: [{ fileName: 'edmx.xsd', contents: edmx }],
      preload: [{ fileName: 'edm.xsd', contents: edm }],
    });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('declares the sales opportunity with its base type, fields and relationships', () => {
    const xml = csdlXml();
    expect(xml).toContain('<EntityType Name="Activity_SalesOpportunity" BaseType="Dealdeck.Activity">');
    expect(xml).toContain('<Property Name="Probability" Type="Edm.Double">');
    expect(xml).toContain(
      '<NavigationProperty Name="Phase" Type="Dealdeck.Datastore_Phase_ActivitySalesOpportunity">',
    );
    expect(xml).toContain(
      '<EntitySet Name="Activity_SalesOpportunity" EntityType="Dealdeck.Activity_SalesOpportunity">',
    );
  });
});
