import { CREATE_DEVICE, CREATE_USER, newUserInput } from './documents';
import type { TestApi } from './test-api';

/** Creates a user and a device of theirs through the API; returns both ids. */
export async function createOwnerAndDevice(api: TestApi, deviceName = 'Garden valve'): Promise<{ ownerId: string; deviceId: string }> {
  const user = await api.gql(CREATE_USER, { input: newUserInput() });
  if (user.errors) throw new Error(JSON.stringify(user.errors));
  const ownerId = user.data!.createUser.user.id as string;
  const device = await api.gql(CREATE_DEVICE, { input: { name: deviceName, ownerId } });
  if (device.errors) throw new Error(JSON.stringify(device.errors));
  return { ownerId, deviceId: device.data!.createDevice.device.id as string };
}
