import { CREATE_NODE, CREATE_USER, newUserInput } from './documents';
import type { TestApi } from './test-api';

/** Creates a user and a node of theirs through the API; returns both ids. */
export async function createOwnerAndNode(api: TestApi, nodeName = 'Garden valve'): Promise<{ ownerId: string; nodeId: string }> {
  const user = await api.gql(CREATE_USER, { input: newUserInput() });
  if (user.errors) throw new Error(JSON.stringify(user.errors));
  const ownerId = user.data!.createUser.user.id as string;
  const node = await api.gql(CREATE_NODE, { input: { name: nodeName, ownerId } });
  if (node.errors) throw new Error(JSON.stringify(node.errors));
  return { ownerId, nodeId: node.data!.createNode.node.id as string };
}
