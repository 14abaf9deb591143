import { graphql } from './graphql';

// The signed-in user, refetchable by id.
export const UserCard_user = graphql`
  fragment UserCard_user on User @refetchable(queryName: "UserCardRefetchQuery") {
    id
    username
    firstName
    devices(first: 3) {
      totalCount
    }
  }
`;
