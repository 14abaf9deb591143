import { graphql } from './graphql';

// A mutation whose payload updates the device in Relay's store by its id.
export const RenameDeviceMutation = graphql`
  mutation RenameDeviceMutation($id: ID!, $input: UpdateDeviceInput!) {
    updateDevice(id: $id, input: $input) {
      device {
        id
        name
        version
        ...DeviceCard_device
      }
    }
  }
`;
