/** GraphQL documents shared by the specs. */

export const CREATE_USER = /* GraphQL */ `
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { user { id username email firstName lastName secondLastName birthDate role active version registeredAt } }
  }
`;

export const UPDATE_USER = /* GraphQL */ `
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) { user { id email firstName lastName secondLastName birthDate version } }
  }
`;

export const CREATE_DEVICE = /* GraphQL */ `
  mutation CreateDevice($input: CreateDeviceInput!) {
    createDevice(input: $input) { device { id name description active version owner { id username } } }
  }
`;

export const UPDATE_DEVICE = /* GraphQL */ `
  mutation UpdateDevice($id: ID!, $input: UpdateDeviceInput!) {
    updateDevice(id: $id, input: $input) { device { id name description version } }
  }
`;

export const RECORD_EVENT = /* GraphQL */ `
  mutation RecordEvent($input: RecordEventInput!) {
    recordEvent(input: $input) { event { id occurredAt consumption unit device { id name } } }
  }
`;

export const RECORD_EVENTS = /* GraphQL */ `
  mutation RecordEvents($inputs: [RecordEventInput!]!) {
    recordEvents(inputs: $inputs) { count ids }
  }
`;

export const USER = /* GraphQL */ `
  query User($id: ID!) { user(id: $id) { id username firstName active version } }
`;

export const DEVICES_DEEP = /* GraphQL */ `
  query DevicesDeep($first: Int!) {
    devices(first: $first) {
      edges {
        node {
          owner { username }
          latestEvent { consumption }
          events(first: 10) { edges { node { id device { name } } } }
          consumption(granularity: MONTH, periods: 12) { total }
        }
      }
    }
  }
`;

export const EVENTS_WITH_DEVICES = /* GraphQL */ `
  query EventsWithDevices { events(first: 100) { edges { node { device { name owner { username } } } } } }
`;

let counter = 0;
/** Input for a valid new user, unique per call. */
export function newUserInput(overrides: Record<string, unknown> = {}) {
  counter++;
  const tag = `${process.env.JEST_WORKER_ID ?? 0}_${counter}_${Date.now() % 100000}`;
  return {
    username: `u_${tag}`.slice(0, 25),
    email: `u_${tag}@example.com`,
    password: 'Secret-Passw0rd',
    firstName: 'Test',
    lastName: 'User',
    ...overrides,
  };
}
