import { graphql } from './graphql';

// One device, refetchable by its id (Relay's node(id)).
export const DeviceCard_device = graphql`
  fragment DeviceCard_device on Device @refetchable(queryName: "DeviceCardRefetchQuery") {
    id
    name
    active
    version
    latestEvent {
      id
      occurredAt
      consumption
      unit
    }
    consumption(granularity: MONTH, periods: 12) {
      start
      total
      unit
    }
    ...DeviceReadings_device
  }
`;
