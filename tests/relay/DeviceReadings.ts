import { graphql } from './graphql';

// A reading history paged both ways: forward from the newest, backward from wherever the user is.
export const DeviceReadings_device = graphql`
  fragment DeviceReadings_device on Device
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 10 }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  )
  @refetchable(queryName: "DeviceReadingsPaginationQuery") {
    events(first: $first, after: $after, last: $last, before: $before) @connection(key: "DeviceReadings_events") {
      edges {
        node {
          id
          occurredAt
          consumption
          unit
        }
      }
    }
  }
`;
