// SHOW GRANTS text as MariaDB and MySQL 5.6–8.x print it, and the privilege questions asked of it.
import { describe, expect, it } from 'vitest';
import { accountSql, hasGlobalPrivilege, hasPrivilegeOn, matchesDatabasePattern, parseGrantLine, parseGrants } from '../../../src/precheck/grants.js';

describe('parseGrantLine', () => {
  it('reads MariaDB global grants, with a password hash and grant option after TO', () => {
    expect(parseGrantLine("GRANT REPLICATION SLAVE, BINLOG MONITOR, SLAVE MONITOR ON *.* TO `mig`@`%` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227'")).toEqual({
      revoke: false,
      privileges: ['REPLICATION SLAVE', 'BINLOG MONITOR', 'SLAVE MONITOR'],
      scope: { kind: 'global' },
    });
    expect(parseGrantLine('GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION')).toMatchObject({ privileges: ['ALL PRIVILEGES'], scope: { kind: 'global' } });
  });

  it('reads MySQL 5.7 quoting and MySQL 8 dynamic privileges without spaces', () => {
    expect(parseGrantLine("GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'mig'@'%'")).toMatchObject({ privileges: ['SELECT', 'REPLICATION SLAVE', 'REPLICATION CLIENT'] });
    expect(parseGrantLine('GRANT APPLICATION_PASSWORD_ADMIN,AUDIT_ADMIN,BACKUP_ADMIN ON *.* TO `root`@`localhost`')).toMatchObject({ privileges: ['APPLICATION_PASSWORD_ADMIN', 'AUDIT_ADMIN', 'BACKUP_ADMIN'] });
  });

  it('tells database, table, routine and proxy scopes apart', () => {
    expect(parseGrantLine('GRANT SELECT ON `shop`.* TO `mig`@`%`')).toMatchObject({ scope: { kind: 'database', pattern: 'shop' } });
    expect(parseGrantLine('GRANT SELECT, INSERT ON `shop`.`orders` TO `mig`@`%`')).toMatchObject({ scope: { kind: 'table', database: 'shop', table: 'orders' } });
    expect(parseGrantLine('GRANT SELECT ON TABLE `a``b`.`c.d` TO `mig`@`%`')).toMatchObject({ scope: { kind: 'table', database: 'a`b', table: 'c.d' } });
    expect(parseGrantLine('GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `mig`@`%`')).toMatchObject({ scope: { kind: 'other' } });
    expect(parseGrantLine("GRANT PROXY ON ''@'' TO 'root'@'localhost' WITH GRANT OPTION")).toMatchObject({ privileges: ['PROXY'], scope: { kind: 'other' } });
  });

  it('leaves out column privileges: they do not let mig read whole rows', () => {
    expect(parseGrantLine('GRANT SELECT (`id`, `name`), INSERT ON `shop`.`orders` TO `mig`@`%`')).toMatchObject({ privileges: ['INSERT'] });
  });

  it('reads role grants in both spellings', () => {
    expect(parseGrantLine('GRANT `reader` TO `mig`@`%`')).toEqual({ role: ['reader'] });
    expect(parseGrantLine('GRANT `r1`@`%`,`r2`@`localhost` TO `mig`@`%`')).toEqual({ role: ['r1', 'r2'] });
  });

  it("reads MySQL 8's partial revokes", () => {
    expect(parseGrantLine('REVOKE SELECT ON `mysql`.* FROM `mig`@`%`')).toEqual({ revoke: true, privileges: ['SELECT'], scope: { kind: 'database', pattern: 'mysql' } });
  });

  it('ignores what is not a grant', () => {
    expect(parseGrantLine('SET DEFAULT ROLE `r` FOR `mig`@`%`')).toBeUndefined();
  });
});

describe('privilege questions', () => {
  it('ALL PRIVILEGES covers everything, globally', () => {
    const g = parseGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`%` WITH GRANT OPTION']);
    expect(hasGlobalPrivilege(g, ['REPLICATION SLAVE'])).toBe(true);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop')).toBe(true);
  });

  it('a user with SELECT on one database only lacks the replication privileges', () => {
    const g = parseGrants(['GRANT USAGE ON *.* TO `mig`@`%`', 'GRANT SELECT ON `shop`.* TO `mig`@`%`']);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop')).toBe(true);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop', 'orders')).toBe(true);
    expect(hasPrivilegeOn(g, 'SELECT', 'crm')).toBe(false);
    expect(hasGlobalPrivilege(g, ['REPLICATION SLAVE'])).toBe(false);
  });

  it('a table grant covers that table, not the database', () => {
    const g = parseGrants(['GRANT SELECT ON `shop`.`orders` TO `mig`@`%`']);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop', 'orders')).toBe(true);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop', 'customers')).toBe(false);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop')).toBe(false);
  });

  it('MariaDB lists an enabled role\'s grants in SHOW GRANTS, which count', () => {
    const g = parseGrants(['GRANT `reader` TO `mig`@`%`', 'GRANT USAGE ON *.* TO `mig`@`%`', 'GRANT USAGE ON *.* TO `reader`', 'GRANT SELECT ON `shop`.* TO `reader`']);
    expect(g.roles).toEqual(['reader']);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop')).toBe(true);
  });

  it('a partial revoke removes a database from a global grant', () => {
    const g = parseGrants(['GRANT SELECT ON *.* TO `mig`@`%`', 'REVOKE SELECT ON `hr`.* FROM `mig`@`%`']);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop')).toBe(true);
    expect(hasPrivilegeOn(g, 'SELECT', 'hr')).toBe(false);
  });

  it('database grants match with LIKE wildcards, and \\_ is a literal underscore', () => {
    expect(matchesDatabasePattern('shop%', 'shop_eu')).toBe(true);
    expect(matchesDatabasePattern('sh_p', 'shop')).toBe(true);
    expect(matchesDatabasePattern('sh\\_p', 'shop')).toBe(false);
    expect(matchesDatabasePattern('sh\\_p', 'sh_p')).toBe(true);
    expect(matchesDatabasePattern('shop', 'Shop')).toBe(false);
    const g = parseGrants(['GRANT SELECT ON `shop\\_%`.* TO `mig`@`%`']);
    expect(hasPrivilegeOn(g, 'SELECT', 'shop_eu')).toBe(true);
    expect(hasPrivilegeOn(g, 'SELECT', 'shopeu')).toBe(false);
  });

  it('names the account as GRANT wants it', () => {
    expect(accountSql('mig@%')).toBe("'mig'@'%'");
    expect(accountSql('o\'brien@10.0.0.%')).toBe("'o''brien'@'10.0.0.%'");
    expect(accountSql('a@b@localhost')).toBe("'a@b'@'localhost'");
  });
});
