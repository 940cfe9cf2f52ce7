import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compatibility, compatibilityTable, hcsshimProcessCompatible } from '../../../ts-core/src/isolation/compatibility.js';
import { clientReleases, serverReleases, type HostClass } from '../../../ts-core/src/isolation/windowsBuilds.js';
import type { Isolation } from '../../../ts-core/src/backends/types.js';

/**
 * The tables are checked against Microsoft's own markdown (fixtures copied
 * from the page), parsed here independently of the source's data, so a
 * typo in the source table cannot also be in the expectation.
 */
interface PageCell {
  tab: string;
  row: string;
  hyperV: boolean;
  process: boolean;
  footnote: boolean;
}

function parsePage(file: string): PageCell[] {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  const cells: PageCell[] = [];
  let tab: string | null = null;
  for (const line of text.split('\n')) {
    const heading = /^# \[([^\]]+)\]/.exec(line);
    if (heading) {
      tab = heading[1]!;
      continue;
    }
    const row = /^\|([^|]+)\|([^|]+)\|([^|]+)\|$/.exec(line.trim());
    if (!row || !tab || row[1]!.startsWith('Container') || row[1]!.startsWith('---')) continue;
    const mark = (s: string) => {
      if (/✅|&#10004;/.test(s)) return true;
      if (/❌|&#10060;/.test(s)) return false;
      throw new Error(`unreadable mark ${s}`);
    };
    cells.push({ tab, row: row[1]!.trim(), hyperV: mark(row[2]!), process: mark(row[3]!), footnote: /<sup>1<\/sup>/.test(line) });
  }
  return cells;
}

const imageBuildOfRow: Record<string, number> = {
  'Windows Server 2025': 26100,
  'Windows Server 2022': 20348,
  'Windows Server, version 2022': 20348,
  'Windows Server, version 20H2': 19042,
  'Windows Server, version 2004': 19041,
  'Windows Server, version 1909': 18363,
  'Windows Server, version 1903': 18362,
  'Windows Server 2019': 17763,
  'Windows Server 2016': 14393,
};

const win10Builds = clientReleases.filter((r) => r.family === 'win10').map((r) => r.build);
const win11Builds = clientReleases.filter((r) => r.family === 'win11').map((r) => r.build);

function hostsOfTab(tab: string): { build: number; class: HostClass }[] {
  const server: Record<string, number> = {
    'Windows Server 2025': 26100,
    'Windows Server 2022': 20348,
    'Windows Server, version 20H2': 19042,
    'Windows Server, version 2004': 19041,
    'Windows Server, version 1909': 18363,
    'Windows Server, version 1903': 18362,
    'Windows Server 2019': 17763,
    'Windows Server 2016': 14393,
  };
  if (server[tab] !== undefined) return [{ build: server[tab]!, class: 'Server' }];
  if (tab === 'Windows 11') return win11Builds.map((build) => ({ build, class: 'Client' as const }));
  if (tab === 'Windows 10') return win10Builds.map((build) => ({ build, class: 'Client' as const }));
  const client = /^Windows (10|11), version (\w+)$/.exec(tab);
  if (client) {
    const release = clientReleases.find((r) => r.family === `win${client[1]}` && r.version === client[2]);
    if (!release) throw new Error(`no client release for tab ${tab}`);
    return [{ build: release.build, class: 'Client' }];
  }
  throw new Error(`unmapped tab ${tab}`);
}

/** Same revision on both sides, so the Windows Server 2016 rule is satisfied where the table says ✅. */
function ask(host: { build: number; class: HostClass }, imageBuild: number, isolation: Isolation) {
  return compatibility({ build: host.build, revision: 1944, class: host.class }, { build: imageBuild, revision: 1944 }, isolation);
}

const currentCells = parsePage('version-compatibility.current.md');

describe('compatibility against the current page, cell for cell', () => {
  it('Should read every table of the page (6 tabs, 20 cells)', () => {
    expect(new Set(currentCells.map((c) => c.tab))).toEqual(
      new Set(['Windows Server 2025', 'Windows Server 2022', 'Windows Server 2019', 'Windows Server 2016', 'Windows 11', 'Windows 10']),
    );
    expect(currentCells).toHaveLength(20);
  });

  const cases = currentCells.flatMap((cell) =>
    hostsOfTab(cell.tab).flatMap((host) =>
      (['HyperV', 'Process'] as const).map((isolation) => {
        let expected = isolation === 'HyperV' ? cell.hyperV : cell.process;
        // Footnote 1: "Supported from Windows 11 24H2 (Build 26100) onwards."
        if (cell.footnote) expected = expected && host.build >= 26100;
        return { tab: cell.tab, row: cell.row, host, isolation, expected };
      }),
    ),
  );

  it.each(cases)('$tab host $host.build × $row image, $isolation → $expected', ({ host, row, isolation, expected }) => {
    const answer = ask(host, imageBuildOfRow[row]!, isolation);
    expect(answer.allowed).toBe(expected);
    expect(answer.source).toBe('table');
    expect(answer.reason.length).toBeGreaterThan(20);
    if (expected) expect(answer.suggestion).toBeNull();
    else expect(answer.suggestion).toMatch(/\w/);
  });

  it('Should hold exactly the cells of the page in its table data (no extra, none missing)', () => {
    const fromData = Object.entries(compatibilityTable).flatMap(([host, column]) => Object.keys(column ?? {}).map((image) => `${host}/${image}`));
    expect(fromData).toHaveLength(currentCells.length);
  });
});

describe('compatibility against the 2022 revision for Semi-Annual Channel releases', () => {
  const archived = parsePage('version-compatibility.2022-03-03.md');
  const sacBuilds = new Set([18362, 18363, 19041, 19042]);
  const applicable = archived.flatMap((cell) =>
    hostsOfTab(cell.tab)
      .filter((host) => sacBuilds.has(imageBuildOfRow[cell.row]!) || (host.class === 'Server' && sacBuilds.has(host.build)))
      .map((host) => ({ ...cell, host })),
  );

  it('Should find SAC cells in the old page', () => {
    expect(applicable.length).toBeGreaterThan(60);
  });

  it.each(applicable.filter((c) => !(c.tab.startsWith('Windows 10'))))('$tab × $row matches the 2022 table', ({ host, row, hyperV, process }) => {
    expect(ask(host, imageBuildOfRow[row]!, 'HyperV').allowed).toBe(hyperV);
    expect(ask(host, imageBuildOfRow[row]!, 'Process').allowed).toBe(process);
  });

  it.each(applicable.filter((c) => c.tab.startsWith('Windows 10')))('$tab × $row: Hyper-V as in the 2022 table, process never (the current page)', ({ host, row, hyperV }) => {
    expect(ask(host, imageBuildOfRow[row]!, 'HyperV').allowed).toBe(hyperV);
    expect(ask(host, imageBuildOfRow[row]!, 'Process').allowed).toBe(false);
  });
});

describe('the exceptions the issue names', () => {
  it('Should let a Windows Server 2025 host run ltsc2022 with process isolation (a different build)', () => {
    const answer = compatibility({ build: 26100, class: 'Server' }, { build: 20348 }, 'Process');
    expect(answer.allowed).toBe(true);
    expect(answer.reason).toContain('Windows Server 2025 (26100)');
  });

  it.each(win11Builds)('Should let Windows 11 build %i run ltsc2022 with process isolation', (build) => {
    expect(compatibility({ build, class: 'Client' }, { build: 20348 }, 'Process').allowed).toBe(true);
  });

  it.each([
    [22000, false],
    [22621, false],
    [22631, false],
    [26100, true],
    [26200, true],
  ] as const)('Should run ltsc2025 on Windows 11 build %i only from 24H2: %s', (build, expected) => {
    for (const isolation of ['Process', 'HyperV'] as const) {
      const answer = compatibility({ build, class: 'Client' }, { build: 26100 }, isolation);
      expect(answer.allowed).toBe(expected);
      if (!expected) {
        expect(answer.reason).toContain('24H2 (build 26100)');
        expect(answer.suggestion).toContain('Windows 11 24H2');
      }
    }
  });

  const serverImageBuilds = serverReleases.map((r) => r.build);
  it.each(win10Builds.flatMap((host) => serverImageBuilds.map((image) => [host, image] as const)))(
    'Should never run a Server image with process isolation on Windows 10 (host %i, image %i)',
    (host, image) => {
      const answer = compatibility({ build: host, class: 'Client' }, { build: image }, 'Process');
      expect(answer.allowed).toBe(false);
      expect(answer.reason).toContain('Windows 10');
    },
  );

  const serverPairs = serverReleases.flatMap((h) => serverReleases.map((i) => [h.build, i.build] as const));
  it.each(serverPairs)('Should run Hyper-V isolation only for the same or an older build (Server host %i, image %i)', (host, image) => {
    const answer = compatibility({ build: host, revision: 1, class: 'Server' }, { build: image, revision: 1 }, 'HyperV');
    expect(answer.allowed).toBe(image <= host);
    if (image > host) expect(answer.reason).toContain('never runs an image newer than the host');
  });

  const clientPairs = clientReleases.flatMap((h) => serverReleases.map((i) => [h.build, i.build] as const));
  it.each(clientPairs)('Should run Hyper-V isolation only for the same or an older build (Client host %i, image %i)', (host, image) => {
    expect(compatibility({ build: host, class: 'Client' }, { build: image }, 'HyperV').allowed).toBe(image <= host);
  });

  it.each(serverPairs.filter(([h, i]) => h !== i && !(h === 26100 && i === 20348)))(
    'Should refuse process isolation across different builds on Windows Server (host %i, image %i)',
    (host, image) => {
      expect(compatibility({ build: host, revision: 1, class: 'Server' }, { build: image, revision: 1 }, 'Process').allowed).toBe(false);
    },
  );

  describe('Windows Server 2016 needs the same revision', () => {
    it('Should refuse process isolation when the revisions differ (the page example 1914 vs 1944)', () => {
      const answer = compatibility({ build: 14393, revision: 1914, class: 'Server' }, { build: 14393, revision: 1944 }, 'Process');
      expect(answer.allowed).toBe(false);
      expect(answer.reason).toContain('10.0.14393.1914');
      expect(answer.reason).toContain('10.0.14393.1944');
      expect(answer.suggestion).toContain('-Isolation HyperV');
    });

    it('Should allow process isolation when the revisions match', () => {
      expect(compatibility({ build: 14393, revision: 1770, class: 'Server' }, { build: 14393, revision: 1770 }, 'Process').allowed).toBe(true);
    });

    it.each([
      [null, 1944],
      [1914, null],
      [null, null],
    ])('Should answer unknown when a revision is unknown (host %s, image %s)', (hostRevision, imageRevision) => {
      const answer = compatibility({ build: 14393, revision: hostRevision, class: 'Server' }, { build: 14393, revision: imageRevision }, 'Process');
      expect(answer.allowed).toBeNull();
      expect(answer.reason).toContain('revision');
    });

    it('Should not apply the revision rule to Hyper-V isolation', () => {
      expect(compatibility({ build: 14393, revision: 1914, class: 'Server' }, { build: 14393, revision: 1944 }, 'HyperV').allowed).toBe(true);
    });

    it('Should not apply the revision rule from 1809 on (page: "this rule doesn\'t apply")', () => {
      expect(compatibility({ build: 17763, revision: 5458, class: 'Server' }, { build: 17763, revision: 437 }, 'Process').allowed).toBe(true);
    });
  });
});

describe('pairs neither table lists follow the page rules', () => {
  it.each([
    [26100, 18363, 'HyperV', true],
    [26100, 18363, 'Process', false],
    [20348, 26100, 'HyperV', false],
    [20348, 26100, 'Process', false],
    [17763, 26100, 'HyperV', false],
    [19042, 26100, 'Process', false],
  ] as const)('Server host %i, image %i, %s → %s (rule)', (host, image, isolation, expected) => {
    const answer = compatibility({ build: host, class: 'Server' }, { build: image }, isolation);
    expect(answer.allowed).toBe(expected);
    expect(answer.source).toBe('rule');
  });
});

describe('wording', () => {
  it('Should explain ltsc2019 on Windows Server 2022 with process isolation in an admin\'s words', () => {
    expect(compatibility({ build: 20348, class: 'Server' }, { build: 17763 }, 'Process')).toMatchInlineSnapshot(`
      {
        "allowed": false,
        "reason": "Process isolation needs the image's build to match the host's: the host is Windows Server 2022 (20348), the image is ltsc2019 (17763).",
        "source": "table",
        "suggestion": "Use -Isolation HyperV, or an ltsc2022 image.",
      }
    `);
  });

  it('Should suggest only what works: a Windows Server 2019 host cannot run ltsc2022 at all', () => {
    const answer = compatibility({ build: 17763, class: 'Server' }, { build: 20348 }, 'Process');
    expect(answer.allowed).toBe(false);
    expect(answer.suggestion).not.toContain('HyperV');
    expect(answer.suggestion).toContain('ltsc2019');
  });

  it('Should offer both process images on a Windows Server 2025 host', () => {
    expect(compatibility({ build: 26100, class: 'Server' }, { build: 17763 }, 'Process').suggestion).toBe('Use -Isolation HyperV, or an ltsc2025 or ltsc2022 image.');
  });
});

describe('unknowns are answered as unknown, never guessed', () => {
  it('Should answer null for an image build not in the catalogue (1709, 16299)', () => {
    const answer = compatibility({ build: 20348, class: 'Server' }, { build: 16299 }, 'HyperV');
    expect(answer.allowed).toBeNull();
    expect(answer.source).toBe('unknown');
    expect(answer.reason).toContain('not in the catalogue');
  });

  it('Should answer null for a host build not in the catalogue', () => {
    const answer = compatibility({ build: 27000, class: 'Client' }, { build: 20348 }, 'HyperV');
    expect(answer.allowed).toBeNull();
    expect(answer.reason).toContain('27000');
  });

  it('Should answer null when the class is wrong for the build (20348 is no client build)', () => {
    expect(compatibility({ build: 20348, class: 'Client' }, { build: 20348 }, 'Process').allowed).toBeNull();
  });

  it('Should answer null for an unknown image build, with the parser\'s note', () => {
    const answer = compatibility({ build: 20348, class: 'Server' }, { build: null, label: "'contoso/app'", buildNote: 'no tag names a release' }, 'Process');
    expect(answer.allowed).toBeNull();
    expect(answer.reason).toContain("'contoso/app'");
    expect(answer.reason).toContain('no tag names a release');
  });

  it('Should answer null when an ambiguous build (17763 = Server 2019 and Windows 10 1809) gives different answers', () => {
    const answer = compatibility({ build: 17763, class: null }, { build: 17763 }, 'Process');
    expect(answer.allowed).toBeNull();
    expect(answer.reason).toContain('Windows Server 2019 and Windows 10 1809');
  });

  it('Should answer an ambiguous build when every reading agrees', () => {
    const answer = compatibility({ build: 17763, class: null }, { build: 14393 }, 'HyperV');
    expect(answer.allowed).toBe(true);
    expect(answer.reason).toContain('Windows Server 2019 or Windows 10 1809');
  });

  it('Should infer nothing for a build only one class has when the class is given wrongly', () => {
    expect(compatibility({ build: 22631, class: 'Server' }, { build: 20348 }, 'HyperV').allowed).toBeNull();
  });
});

describe('suggestions name supported images', () => {
  it('Should suggest LTSC images, not out-of-support SAC ones, on Windows 10', () => {
    const answer = compatibility({ build: 19045, class: 'Client' }, { build: 20348 }, 'Process');
    expect(answer.allowed).toBe(false);
    expect(answer.suggestion).toBe('Use -Isolation HyperV with an image of the host\'s build or older (ltsc2019, ltsc2016).');
  });

  it('Should suggest the SAC image when it is the only one a SAC host runs with process isolation', () => {
    expect(compatibility({ build: 18363, class: 'Server' }, { build: 17763 }, 'Process').suggestion).toBe('Use -Isolation HyperV, or a 1909 image.');
  });

  it('Should point a Windows Server 2019 host at older LTSC images for a newer one under Hyper-V', () => {
    expect(compatibility({ build: 17763, class: 'Server' }, { build: 26100 }, 'HyperV').suggestion).toBe(
      "Use an image of the host's build or older (ltsc2019, ltsc2016), or run it on a newer host.",
    );
  });
});

describe('the catalogue answers every pair it knows', () => {
  const hosts = [
    ...serverReleases.map((r) => ({ build: r.build, class: 'Server' as const })),
    ...clientReleases.map((r) => ({ build: r.build, class: 'Client' as const })),
  ];
  const pairs = hosts.flatMap((host) => serverReleases.flatMap((image) => (['Process', 'HyperV'] as const).map((isolation) => ({ host, image: image.build, isolation }))));

  it(`Should answer all ${pairs.length} catalogued host × image × isolation triples with true or false`, () => {
    const unanswered = pairs.filter(({ host, image, isolation }) => compatibility({ ...host, revision: 7 }, { build: image, revision: 7 }, isolation).allowed === null);
    expect(unanswered).toEqual([]);
  });

  it('Should give every refusal a suggestion and every answer a reason naming both builds', () => {
    for (const { host, image, isolation } of pairs) {
      const answer = compatibility({ ...host, revision: 7 }, { build: image, revision: 7 }, isolation);
      expect(answer.reason).toContain(`(${host.build})`);
      expect(answer.reason).toContain(`(${image})`);
      if (answer.allowed === false) expect(answer.suggestion).toMatch(/^(Use|Update|Run) /);
    }
  });
});

describe('where the references disagree, the page decides and the reason gives the other reading', () => {
  it.each([17763, 18362, 18363, 19041, 19042])(
    "Windows 10 build %i with the same-build image: not allowed (the compatibility page), and Docker's development-and-testing reading named",
    (build) => {
      const answer = compatibility({ build, class: 'Client' }, { build }, 'Process');
      expect(answer.allowed).toBe(false);
      expect(answer.reason).toContain('Docker accepts --isolation=process on Windows 10 from 1809 (build 17763)');
      expect(answer.reason).toContain('for development and testing');
      expect(answer.reason).toContain('this answer follows it');
    },
  );

  it('does not add the Docker note when the builds differ on Windows 10', () => {
    const answer = compatibility({ build: 19045, class: 'Client' }, { build: 17763 }, 'Process');
    expect(answer.allowed).toBe(false);
    expect(answer.reason).not.toContain('Docker accepts');
  });

  it("Windows 11 25H2 with ltsc2022: allowed (the page), hcsshim's osversion refusing it is named", () => {
    const answer = compatibility({ build: 26200, class: 'Client' }, { build: 20348 }, 'Process');
    expect(answer.allowed).toBe(true);
    expect(answer.reason).toContain("hcsshim's build rule (osversion.CheckHostAndContainerCompat, used by containerd) reads this pair the other way: it refuses it");
  });

  it("Windows Server 23H2 with ltsc2022: refused by the page's same-build rule, hcsshim's acceptance named; Hyper-V allowed", () => {
    const process = compatibility({ build: 25398, class: 'Server' }, { build: 20348 }, 'Process');
    expect(process.allowed).toBe(false);
    expect(process.reason).toContain('Windows Server, version 23H2 (25398)');
    expect(process.reason).toContain('it accepts it');
    expect(compatibility({ build: 25398, class: 'Server' }, { build: 20348 }, 'HyperV').allowed).toBe(true);
    expect(compatibility({ build: 25398, class: 'Server' }, { build: 26100 }, 'HyperV').allowed).toBe(false);
  });

  it('adds no note where the page and hcsshim agree', () => {
    expect(compatibility({ build: 26100, class: 'Server' }, { build: 20348 }, 'Process').reason).not.toContain('hcsshim');
    expect(compatibility({ build: 20348, class: 'Server' }, { build: 17763 }, 'Process').reason).not.toContain('hcsshim');
  });

  it.each([
    [17763, 17763, true],
    [20348, 20348, true],
    [20348, 17763, false],
    [22631, 20348, true],
    [25398, 20348, true],
    [26100, 20348, true],
    [26100, 26100, true],
    [26200, 20348, false],
    [26200, 26100, true],
    [22631, 26100, false],
  ] as const)("hcsshim's reading: host %i, image %i → %s", (host, image, expected) => {
    expect(hcsshimProcessCompatible(host, image)).toBe(expected);
  });
});
