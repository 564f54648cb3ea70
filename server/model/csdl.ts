// $metadata: the entity model as OData CSDL XML.
import { namespace, qualifiedName } from './csdl-names.ts';
import { type EntityType, model } from './model.ts';

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

const attrs = (values: Record<string, string | number | boolean | undefined>) =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');

const description = (text: string | undefined, indent: string) =>
  text ? `\n${indent}  <Annotation Term="Core.Description" String="${escapeXml(text)}"/>\n${indent}` : '';

function entityTypeXml(type: EntityType): string {
  const lines: string[] = [];
  const own = (declaredBy: string) => declaredBy === type.name;
  lines.push(
    `      <EntityType${attrs({
      Name: qualifiedName(type.name).slice(namespace.length + 1),
      BaseType: type.base ? qualifiedName(type.base.name) : undefined,
      Abstract: type.abstract || undefined,
    })}>`,
  );
  if (!type.base) lines.push('        <Key><PropertyRef Name="ID"/></Key>');
  if (type.description)
    lines.push(`        <Annotation Term="Core.Description" String="${escapeXml(type.description)}"/>`);
  for (const p of type.properties.values()) {
    if (!own(p.declaredBy)) continue;
    const annotations: string[] = [];
    if (p.description)
      annotations.push(`<Annotation Term="Core.Description" String="${escapeXml(p.description)}"/>`);
    if (p.readOnly) annotations.push('<Annotation Term="Core.Computed" Bool="true"/>');
    if (p.min !== undefined) annotations.push(`<Annotation Term="Validation.Minimum" Decimal="${p.min}"/>`);
    if (p.max !== undefined) annotations.push(`<Annotation Term="Validation.Maximum" Decimal="${p.max}"/>`);
    const open = `        <Property${attrs({
      Name: p.name,
      Type: p.type,
      Nullable: p.nullable === false ? false : undefined,
      MaxLength: p.maxLength,
    })}`;
    lines.push(
      annotations.length
        ? `${open}>\n${annotations.map((a) => `          ${a}`).join('\n')}\n        </Property>`
        : `${open}/>`,
    );
  }
  for (const r of type.references.values()) {
    if (!own(r.declaredBy)) continue;
    lines.push(
      `        <NavigationProperty${attrs({ Name: r.name, Type: qualifiedName(r.target), Nullable: r.required ? false : undefined })}>${description(r.description, '        ')}</NavigationProperty>`,
    );
  }
  for (const c of type.collections.values()) {
    if (!own(c.declaredBy)) continue;
    lines.push(
      `        <NavigationProperty${attrs({ Name: c.name, Type: `Collection(${qualifiedName(c.target)})`, Partner: c.inverse })}>${description(c.description, '        ')}</NavigationProperty>`,
    );
  }
  // declared on the root types, inherited by their subtypes
  if (!type.base) lines.push(historyNavigationXml);
  lines.push('      </EntityType>');
  return lines.join('\n');
}

function entitySetXml(type: EntityType): string {
  const bindings = [...type.references.values(), ...type.collections.values()].map(
    (nav) =>
      `          <NavigationPropertyBinding Path="${nav.name}" Target="${model.get(nav.target)!.setName}"/>`,
  );
  return [
    `        <EntitySet Name="${type.setName}" EntityType="${qualifiedName(type.name)}">`,
    ...bindings,
    changeTrackingXml,
    '        </EntitySet>',
  ].join('\n');
}

/** Delta links (journal/delta.ts): $filter, $select and $expand of single-valued links. */
const changeTrackingXml = `          <Annotation Term="Capabilities.ChangeTracking">
            <Record>
              <PropertyValue Property="Supported" Bool="true"/>
            </Record>
          </Annotation>`;

/** `$apply` as far as the service implements it; clients look for this to aggregate on the server. */
const applySupportedXml = `        <Annotation Term="Aggregation.ApplySupported">
          <Record>
            <PropertyValue Property="Transformations">
              <Collection><String>filter</String><String>groupby</String><String>aggregate</String></Collection>
            </PropertyValue>
            <PropertyValue Property="Rollup" EnumMember="Aggregation.RollupType/None"/>
          </Record>
        </Annotation>`;

/** Every record's history (journal/history.ts): read-only, contained in the record. */
const historyNavigationXml = `        <NavigationProperty Name="History" Type="Collection(${namespace}.Change)" ContainsTarget="true">
          <Annotation Term="Core.Description" String="The record's changes from the change journal, newest first (read-only)"/>
          <Annotation Term="Core.Permissions" EnumMember="Core.Permission/Read"/>
        </NavigationProperty>`;

const changeTypesXml = `      <EntityType Name="Change">
        <Key><PropertyRef Name="Sequence"/></Key>
        <Annotation Term="Core.Description" String="One entry of the change journal: a create, update or delete of a record"/>
        <Property Name="Sequence" Type="Edm.Int64" Nullable="false"/>
        <Property Name="At" Type="Edm.DateTimeOffset" Nullable="false"/>
        <Property Name="ActorID" Type="Edm.String" Nullable="false">
          <Annotation Term="Core.Description" String="The person who wrote, or 'service' (the API token) or 'system' (Dealdeck itself)"/>
        </Property>
        <Property Name="ActorName" Type="Edm.String" Nullable="false"/>
        <Property Name="Kind" Type="Edm.String" Nullable="false">
          <Annotation Term="Core.Description" String="created, updated or deleted"/>
        </Property>
        <Property Name="Changes" Type="Collection(${namespace}.PropertyChange)" Nullable="false"/>
      </EntityType>
      <ComplexType Name="PropertyChange">
        <Annotation Term="Core.Description" String="A property or link (by its name; links as the linked record's ID) with its old and new value"/>
        <Property Name="Property" Type="Edm.String" Nullable="false"/>
        <Property Name="Old" Type="Edm.Untyped"/>
        <Property Name="New" Type="Edm.Untyped"/>
      </ComplexType>`;

export function csdlXml(): string {
  const types = [...model.values()];
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Validation.V1.xml">
    <edmx:Include Namespace="Org.OData.Validation.V1" Alias="Validation"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Aggregation.V1.xml">
    <edmx:Include Namespace="Org.OData.Aggregation.V1" Alias="Aggregation"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="${namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">
${types.map(entityTypeXml).join('\n')}
${changeTypesXml}
      <EntityContainer Name="Container">
${types.map(entitySetXml).join('\n')}
${applySupportedXml}
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;
}
