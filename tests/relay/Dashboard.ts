import { graphql } from './graphql';

// A monitoring dashboard as a Relay app writes it: a paginated device list, each device a card.
export const DashboardQuery = graphql`
  query DashboardQuery {
    ...Dashboard_query
    me {
      ...UserCard_user
    }
  }
`;

export const Dashboard_query = graphql`
  fragment Dashboard_query on Query
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" })
  @refetchable(queryName: "DashboardPaginationQuery") {
    devices(first: $count, after: $cursor) @connection(key: "Dashboard_devices") {
      totalCount
      edges {
        node {
          id
          ...DeviceCard_device
        }
      }
    }
  }
`;
