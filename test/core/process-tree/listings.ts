// Process-table listings as each platform prints them, for the parsers' tests.

/** procps `ps -A -o pid=,ppid=,pgid=,stat=,lstart=` on this Debian machine (captured; a zombie added from another capture). */
export const LINUX_PS = `    1     0     0 S<Ll Sun Dec  6 01:32:46 2026
    2     0     0 S    Sun Dec  6 01:32:46 2026
    3     2     0 S    Sun Dec  6 01:32:46 2026
    4     2     0 I<   Sun Dec  6 01:32:46 2026
 4711     1  4711 Ss   Sun Dec  6 02:45:32 2026
 4712  4711  4711 Z    Sun Dec  6 02:45:33 2026
`;

/**
 * macOS's BSD ps with the same arguments, in the layout of its ps(1): right-aligned numbers, a STAT
 * with flags, a one-digit day padded with a space. Written from that layout, not captured on a Mac.
 */
export const DARWIN_PS = `    1     0     1 Ss   Mon Nov 30 08:12:01 2026
  101     1   101 Ss   Mon Nov 30 08:12:05 2026
52310   101 52310 S    Sun Dec  6 10:04:59 2026
52311 52310 52310 S+   Sun Dec  6 10:05:00 2026
52312 52311 52312 S    Sun Dec  6 10:05:00 2026
52313 52310 52310 Z+   Sun Dec  6 10:05:01 2026
`;

/**
 * The win32 CIM query's output: ConvertTo-Json -Compress of ProcessId, ParentProcessId and
 * CreationDate in milliseconds since 1970. Written from Win32_Process's documented fields, not captured on Windows.
 */
export const WIN32_CIM =
  '[{"ProcessId":0,"ParentProcessId":0,"CreationDate":0},{"ProcessId":4,"ParentProcessId":0,"CreationDate":1796454721000},' +
  '{"ProcessId":6120,"ParentProcessId":5880,"CreationDate":1796461105012},{"ProcessId":7344,"ParentProcessId":6120,"CreationDate":1796461106123}]';
