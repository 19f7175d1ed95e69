export { PERMISSIONS, ROLES, ROLE_LEVEL, ROLE_PERMISSIONS, canGrant, type Permission, type Role } from './roles';
export { can, actorOf, originOf, scopeOf, systemContext, type Principal, type RequestContext } from './principal';
