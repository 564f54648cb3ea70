import { describe, expect, it } from 'vitest';
import { capabilitiesFromMetadata } from './service-capabilities';

const edmx = (container: string) => `<?xml version="1.0"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices><Schema Namespace="X">
    <EntityType Name="T"><Annotation Term="Aggregation.ApplySupported"/></EntityType>
    <EntityContainer Name="C">${container}</EntityContainer>
  </Schema></edmx:DataServices>
</edmx:Edmx>`;

describe('service capabilities from $metadata', () => {
  it('sees $apply when the container is annotated with the transformations we use', () => {
    const xml = edmx(`<Annotation Term="Aggregation.ApplySupported"><Record>
      <PropertyValue Property="Transformations"><Collection>
        <String>filter</String><String>groupby</String><String>aggregate</String>
      </Collection></PropertyValue></Record></Annotation>`);
    expect(capabilitiesFromMetadata(xml)).toEqual({ apply: true });
  });

  it('accepts the namespace-qualified term and an annotation without a list', () => {
    expect(
      capabilitiesFromMetadata(edmx('<Annotation Term="Org.OData.Aggregation.V1.ApplySupported"/>')),
    ).toEqual({ apply: true });
  });

  it('does not trust an annotation outside the container or a list missing groupby', () => {
    expect(capabilitiesFromMetadata(edmx('<EntitySet Name="S" EntityType="X.T"/>'))).toEqual({
      apply: false,
    });
    const partial = edmx(`<Annotation Term="Aggregation.ApplySupported"><Record>
      <PropertyValue Property="Transformations"><Collection><String>filter</String></Collection>
      </PropertyValue></Record></Annotation>`);
    expect(capabilitiesFromMetadata(partial)).toEqual({ apply: false });
  });
});
