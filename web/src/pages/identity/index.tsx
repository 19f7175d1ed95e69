import type { PageDef } from '../types';
import { UserList } from './users';
import { ApiKeyList } from './api-keys';

/** Identity screens: users and API keys. */
export const identityPages: PageDef[] = [
  { path: '/users', element: <UserList />, permission: 'users:read', nav: { label: 'Users', section: 'Administration', order: 10 }, tenantScoped: false },
  { path: '/api-keys', element: <ApiKeyList />, permission: 'apikeys:manage', nav: { label: 'API keys', section: 'Administration', order: 20 } },
];
