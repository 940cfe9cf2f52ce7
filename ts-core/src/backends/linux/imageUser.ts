/**
 * The user a container's process runs as: the image's `User` (OCI image
 * config `config.User`) or the -User override, in Docker's forms — `uid`,
 * `uid:gid`, `name`, `name:group`, `uid:group`, `name:gid` — resolved the way
 * runc's libcontainer/user does it, against the image's own /etc/passwd and
 * /etc/group: a name must exist there, a numeric uid need not (its group is
 * then 0), and the supplementary groups are the groups that list the user.
 *
 * The image's files are untrusted: they are read through rootfs-relative
 * resolution (a symlink is followed inside the rootfs, never to the host's
 * file of the same name), bounded in size, and never quoted in an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../protocol/errors.js';
import { readAt } from '../../util/readAt.js';

export interface ResolvedUser {
  /** As given (image config or -User). */
  spec: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The passwd name, when the image has one for this uid. */
  name: string | null;
}

const MAX_ACCOUNT_FILE_BYTES = 1024 * 1024;
const MAX_ID = 4_294_967_294; // (uid_t)-1 means "unchanged" to the kernel
const MAX_LINKS = 40;

/**
 * Reads root/<relative> resolving every symlink inside `root` (an absolute
 * target starts again at `root`, `..` stops at it), like securejoin. null
 * when the file does not exist or is not a regular file.
 */
export function readFileInRoot(root: string, relative: string, maxBytes: number): Buffer | null {
  let pending = relative.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') { resolved.pop(); continue; }
    const candidate = path.join(root, ...resolved, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(candidate);
    } catch {
      return null;
    }
    if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS) return null;
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
      continue;
    }
    resolved.push(part);
    if (pending.length > 0 && !stat.isDirectory()) return null;
  }
  const file = path.join(root, ...resolved);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return null;
    return readAt(fd, Math.min(stat.size, maxBytes));
  } finally {
    fs.closeSync(fd);
  }
}

interface Account { name: string; id: number; gid: number; members: string[] }

function parseAccounts(text: string | null, kind: 'passwd' | 'group'): Account[] {
  if (text === null) return [];
  const accounts: Account[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < (kind === 'passwd' ? 4 : 3)) continue;
    const id = Number(fields[2]);
    if (!/^\d+$/.test(fields[2]!) || id > MAX_ID) continue;
    const gid = kind === 'passwd' ? Number(fields[3]) : id;
    const members = kind === 'group' ? (fields[3] ?? '').split(',').filter(Boolean) : [];
    accounts.push({ name: fields[0]!, id, gid: Number.isSafeInteger(gid) ? gid : 0, members });
  }
  return accounts;
}

function invalidUser(spec: string, why: string): CoreError {
  return new CoreError('InvalidUser',
    `The user ${JSON.stringify(spec.slice(0, 80))} cannot be used: ${why}. Give a uid[:gid] (for example 65534:65534) or a name the image's /etc/passwd holds.`,
    { details: { user: spec } });
}

export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  const [userPart, groupPart, extra] = spec.split(':');
  if (extra !== undefined || !userPart) throw invalidUser(spec, 'it is not of the form user[:group]');
  const read = (file: string) => readFileInRoot(rootfs, file, MAX_ACCOUNT_FILE_BYTES)?.toString('utf8') ?? null;
  const passwd = parseAccounts(read('etc/passwd'), 'passwd');
  let groups: Account[] | null = null;
  const groupFile = () => (groups ??= parseAccounts(read('etc/group'), 'group'));

  let uid: number;
  let gid: number;
  let name: string | null;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    if (uid > MAX_ID) throw invalidUser(spec, `uid ${userPart} is out of range`);
    const entry = passwd.find((a) => a.id === uid);
    gid = entry?.gid ?? 0;
    name = entry?.name ?? null;
  } else {
    const entry = passwd.find((a) => a.name === userPart);
    if (!entry) throw invalidUser(spec, `the image's /etc/passwd has no user named ${JSON.stringify(userPart.slice(0, 40))}`);
    uid = entry.id;
    gid = entry.gid;
    name = entry.name;
  }
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) {
      gid = Number(groupPart);
      if (gid > MAX_ID) throw invalidUser(spec, `gid ${groupPart} is out of range`);
    } else {
      const group = groupFile().find((g) => g.name === groupPart);
      if (!group) throw invalidUser(spec, `the image's /etc/group has no group named ${JSON.stringify(groupPart.slice(0, 40))}`);
      gid = group.id;
    }
  }
  // Supplementary groups, as runc's GetExecUser: the groups that list the user by name (unless a group was given).
  const additionalGids = name !== null && groupPart === undefined
    ? [...new Set(groupFile().filter((g) => g.members.includes(name!) && g.id !== gid).map((g) => g.id))]
    : [];
  return { spec, uid, gid, additionalGids, name };
}
