// What one node-exporter 1.5 target exposes, plus the series Prometheus adds per scrape (up,
// scrape_*), modelled on the real fixture (fixtures/prom-ha-dev.rwcap): the same metric families,
// label names and label value shapes, in exposition order (sorted by family name). About 560
// series for a 2-CPU target, growing with CPUs, disks, filesystems and network devices.
//
// Every series gets a value model so that its value at time t is a pure function of (series, t):
// both replicas of an HA pair scrape the same target and must see the same values, up to the
// difference in scrape time.

const MEMORY = [
  'Active_anon', 'Active', 'Active_file', 'AnonHugePages', 'AnonPages', 'Bounce', 'Buffers', 'Cached',
  'CommitLimit', 'Committed_AS', 'DirectMap1G', 'DirectMap2M', 'DirectMap4k', 'Dirty', 'FileHugePages',
  'FilePmdMapped', 'Hugetlb', 'Inactive_anon', 'Inactive', 'Inactive_file', 'KReclaimable', 'KernelStack',
  'Mapped', 'MemAvailable', 'MemFree', 'MemTotal', 'Mlocked', 'NFS_Unstable', 'PageTables', 'Percpu',
  'SReclaimable', 'SUnreclaim', 'SecPageTables', 'ShmemHugePages', 'ShmemPmdMapped', 'Shmem', 'Slab',
  'SwapCached', 'SwapFree', 'SwapTotal', 'Unevictable', 'VmallocChunk', 'VmallocTotal', 'VmallocUsed',
  'WritebackTmp', 'Writeback', 'Zswap', 'Zswapped',
];
const NETSTAT = [
  'Icmp6_InErrors', 'Icmp6_InMsgs', 'Icmp6_OutMsgs', 'Icmp_InErrors', 'Icmp_InMsgs', 'Icmp_OutMsgs',
  'Ip6_InOctets', 'Ip6_OutOctets', 'IpExt_InOctets', 'IpExt_OutOctets', 'Ip_Forwarding',
  'TcpExt_ListenDrops', 'TcpExt_ListenOverflows', 'TcpExt_SyncookiesFailed', 'TcpExt_SyncookiesRecv',
  'TcpExt_SyncookiesSent', 'TcpExt_TCPSynRetrans', 'TcpExt_TCPTimeouts', 'Tcp_ActiveOpens', 'Tcp_CurrEstab',
  'Tcp_InErrs', 'Tcp_InSegs', 'Tcp_OutRsts', 'Tcp_OutSegs', 'Tcp_PassiveOpens', 'Tcp_RetransSegs',
  'Udp6_InDatagrams', 'Udp6_InErrors', 'Udp6_NoPorts', 'Udp6_OutDatagrams', 'Udp6_RcvbufErrors',
  'Udp6_SndbufErrors', 'UdpLite6_InErrors', 'UdpLite_InErrors', 'Udp_InDatagrams', 'Udp_InErrors',
  'Udp_NoPorts', 'Udp_OutDatagrams', 'Udp_RcvbufErrors', 'Udp_SndbufErrors',
];
const SOCKSTAT = [
  'FRAG6_inuse', 'FRAG6_memory', 'FRAG_inuse', 'FRAG_memory', 'RAW6_inuse', 'RAW_inuse', 'TCP6_inuse',
  'TCP_alloc', 'TCP_inuse', 'TCP_mem', 'TCP_mem_bytes', 'TCP_orphan', 'TCP_tw', 'UDP6_inuse',
  'UDPLITE6_inuse', 'UDPLITE_inuse', 'UDP_inuse', 'UDP_mem', 'UDP_mem_bytes', 'sockets_used',
];
const COLLECTORS = [
  'arp', 'bcache', 'bonding', 'btrfs', 'conntrack', 'cpu', 'cpufreq', 'diskstats', 'dmi', 'edac', 'entropy',
  'fibrechannel', 'filefd', 'filesystem', 'hwmon', 'infiniband', 'ipvs', 'loadavg', 'mdadm', 'meminfo',
  'netclass', 'netdev', 'netstat', 'nfs', 'nfsd', 'nvme', 'os', 'powersupplyclass', 'pressure', 'rapl',
  'schedstat', 'selinux', 'sockstat', 'softnet', 'stat', 'tapestats', 'textfile', 'thermal_zone', 'time',
  'timex', 'udp_queues', 'uname', 'vmstat', 'xfs', 'zfs', 'systemd',
];
const DISK = [
  'discard_time_seconds_total', 'discarded_sectors_total', 'discards_completed_total', 'discards_merged_total',
  'flush_requests_time_seconds_total', 'flush_requests_total', 'io_now', 'io_time_seconds_total',
  'io_time_weighted_seconds_total', 'read_bytes_total', 'read_time_seconds_total', 'reads_completed_total',
  'reads_merged_total', 'write_time_seconds_total', 'writes_completed_total', 'writes_merged_total',
  'written_bytes_total',
];
const NET_ALL = [
  'address_assign_type', 'carrier_changes_total', 'carrier_down_changes_total', 'carrier_up_changes_total',
  'device_id', 'flags', 'iface_id', 'iface_link', 'iface_link_mode', 'mtu_bytes', 'net_dev_group',
  'protocol_type', 'transmit_queue_length', 'up',
];
const NET_RX_TX = [
  'receive_bytes_total', 'receive_compressed_total', 'receive_drop_total', 'receive_errs_total',
  'receive_fifo_total', 'receive_frame_total', 'receive_multicast_total', 'receive_nohandler_total',
  'receive_packets_total', 'transmit_bytes_total', 'transmit_carrier_total', 'transmit_colls_total',
  'transmit_compressed_total', 'transmit_drop_total', 'transmit_errs_total', 'transmit_fifo_total',
  'transmit_packets_total',
];
const GO_MEMSTATS = [
  'alloc_bytes', 'alloc_bytes_total', 'buck_hash_sys_bytes', 'frees_total', 'gc_sys_bytes', 'heap_alloc_bytes',
  'heap_idle_bytes', 'heap_inuse_bytes', 'heap_objects', 'heap_released_bytes', 'heap_sys_bytes',
  'last_gc_time_seconds', 'lookups_total', 'mallocs_total', 'mcache_inuse_bytes', 'mcache_sys_bytes',
  'mspan_inuse_bytes', 'mspan_sys_bytes', 'next_gc_bytes', 'other_sys_bytes', 'stack_inuse_bytes',
  'stack_sys_bytes', 'sys_bytes',
];
const TIMEX = [
  'estimated_error_seconds', 'frequency_adjustment_ratio', 'loop_time_constant', 'maxerror_seconds',
  'offset_seconds', 'pps_calibration_total', 'pps_error_total', 'pps_frequency_hertz', 'pps_jitter_seconds',
  'pps_jitter_total', 'pps_shift_seconds', 'pps_stability_exceeded_total', 'pps_stability_hertz',
  'status', 'sync_status', 'tai_offset_seconds', 'tick_seconds',
];
const CONNTRACK = [
  'entries', 'entries_limit', 'stat_drop', 'stat_early_drop', 'stat_found', 'stat_ignore', 'stat_insert',
  'stat_insert_failed', 'stat_invalid', 'stat_search_restart',
];
const VMSTAT = ['oom_kill', 'pgfault', 'pgmajfault', 'pgpgin', 'pgpgout', 'pswpin', 'pswpout'];
const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];

/**
 * Series of one target as [name, dims, kind] where dims is [[labelName, value], ...] (not yet
 * sorted, without cluster/replica/instance/job) and kind is 'counter' | 'gauge' | 'const'.
 * `shape` = { cpus, disks, filesystems, netDevices } (counts), and optionally `keep`: metric names
 * to keep (as a remote write with a `write_relabel_configs` keep list), the others dropped.
 */
export function targetSeries(shape) {
  const out = [];
  const add = (name, kind, dims = []) => out.push([name, dims, kind]);
  const cpus = [...Array(shape.cpus).keys()].map(String);
  const diskNames = ['vda', 'vdb', 'vdc', 'vdd', 'nvme0n1', 'nvme1n1'].slice(0, shape.disks);
  const fs = [
    ['/dev/vda1', 'ext4', '/'],
    ['/dev/vda15', 'vfat', '/boot/efi'],
    ['/dev/vdb', 'xfs', '/var/lib/data'],
    ['tmpfs', 'tmpfs', '/run'],
    ['tmpfs', 'tmpfs', '/run/lock'],
    ['/dev/vdc', 'ext4', '/srv'],
  ].slice(0, shape.filesystems);
  const nets = ['eth0', 'lo', 'eth1', 'docker0', 'veth1a2b3c', 'veth4d5e6f', 'ifb0', 'ifb1'].slice(0, shape.netDevices);

  for (const q of ['0', '0.25', '0.5', '0.75', '1']) add('go_gc_duration_seconds', 'gauge', [['quantile', q]]);
  add('go_gc_duration_seconds_count', 'counter');
  add('go_gc_duration_seconds_sum', 'counter');
  add('go_goroutines', 'gauge');
  add('go_info', 'const', [['version', 'go1.19.8']]);
  for (const m of GO_MEMSTATS) add(`go_memstats_${m}`, m.endsWith('_total') ? 'counter' : 'gauge');
  add('go_threads', 'gauge');
  add('node_arp_entries', 'gauge', [['device', 'eth0']]);
  add('node_boot_time_seconds', 'const');
  add('node_context_switches_total', 'counter');
  for (const c of cpus) for (const m of ['nice', 'user']) add('node_cpu_guest_seconds_total', 'const', [['cpu', c], ['mode', m]]);
  for (const c of cpus) for (const m of CPU_MODES) add('node_cpu_seconds_total', 'counter', [['cpu', c], ['mode', m]]);
  for (const d of DISK) for (const dev of diskNames) add(`node_disk_${d}`, d === 'io_now' ? 'gauge' : 'counter', [['device', dev]]);
  diskNames.forEach((dev, i) => add('node_disk_info', 'const', [['device', dev], ['major', '254'], ['minor', String(i * 16)]]));
  add('node_entropy_available_bits', 'gauge');
  add('node_entropy_pool_size_bits', 'const');
  add('node_exporter_build_info', 'const', [
    ['branch', 'debian/sid'], ['goarch', 'amd64'], ['goos', 'linux'], ['goversion', 'go1.19.8'],
    ['revision', '1.5.0-1+b6'], ['version', '1.5.0'],
  ]);
  add('node_filefd_allocated', 'gauge');
  add('node_filefd_maximum', 'const');
  for (const m of ['avail_bytes', 'device_error', 'files', 'files_free', 'free_bytes', 'readonly', 'size_bytes']) {
    for (const [device, fstype, mountpoint] of fs) {
      const kind = m === 'avail_bytes' || m === 'free_bytes' || m === 'files_free' ? 'gauge' : 'const';
      add(`node_filesystem_${m}`, kind, [['device', device], ['fstype', fstype], ['mountpoint', mountpoint]]);
    }
  }
  add('node_forks_total', 'counter');
  add('node_intr_total', 'counter');
  add('node_load1', 'gauge');
  add('node_load15', 'gauge');
  add('node_load5', 'gauge');
  for (const m of MEMORY) add(`node_memory_${m}_bytes`, m.endsWith('Total') || m === 'CommitLimit' ? 'const' : 'gauge');
  for (const m of NETSTAT) add(`node_netstat_${m}`, m.startsWith('Tcp_CurrEstab') || m === 'Ip_Forwarding' ? 'gauge' : 'counter');
  for (const m of NET_ALL) for (const dev of nets) add(`node_network_${m}`, m.endsWith('_total') ? 'counter' : 'const', [['device', dev]]);
  nets.forEach((dev, i) =>
    add('node_network_info', 'const', [
      ['address', dev === 'lo' ? '00:00:00:00:00:00' : `02:fc:00:00:${(i + 16).toString(16)}:01`],
      ['broadcast', dev === 'lo' ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff'],
      ['device', dev],
      ['operstate', dev === 'lo' ? 'unknown' : 'up'],
    ]),
  );
  for (const m of NET_RX_TX) for (const dev of nets) add(`node_network_${m}`, 'counter', [['device', dev]]);
  for (const m of CONNTRACK) add(`node_nf_conntrack_${m}`, m.startsWith('entries') ? 'gauge' : 'counter');
  add('node_os_info', 'const', [
    ['id', 'debian'], ['name', 'Debian GNU/Linux'], ['pretty_name', 'Debian GNU/Linux 12 (bookworm)'],
    ['version', '12 (bookworm)'], ['version_codename', 'bookworm'], ['version_id', '12'],
  ]);
  add('node_os_version', 'const', [['id', 'debian'], ['name', 'Debian GNU/Linux']]);
  for (const m of ['cpu_waiting', 'io_stalled', 'io_waiting', 'memory_stalled', 'memory_waiting']) add(`node_pressure_${m}_seconds_total`, 'counter');
  add('node_procs_blocked', 'gauge');
  add('node_procs_running', 'gauge');
  for (const c of COLLECTORS) add('node_scrape_collector_duration_seconds', 'gauge', [['collector', c]]);
  for (const c of COLLECTORS) add('node_scrape_collector_success', 'const', [['collector', c]]);
  add('node_selinux_enabled', 'const');
  for (const m of SOCKSTAT) add(`node_sockstat_${m}`, 'gauge');
  for (const m of ['dropped_total', 'processed_total', 'times_squeezed_total']) for (const c of cpus) add(`node_softnet_${m}`, 'counter', [['cpu', c]]);
  add('node_textfile_scrape_error', 'const');
  add('node_time_seconds', 'counter');
  add('node_time_zone_offset_seconds', 'const', [['time_zone', 'UTC']]);
  for (const m of TIMEX) add(`node_timex_${m}`, m.endsWith('_total') ? 'counter' : 'gauge');
  add('node_uname_info', 'const', [
    ['domainname', '(none)'], ['machine', 'x86_64'], ['nodename', 'node'], ['release', '6.1.0-13-amd64'],
    ['sysname', 'Linux'], ['version', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)'],
  ]);
  for (const m of VMSTAT) add(`node_vmstat_${m}`, 'counter');
  for (const m of ['cpu_seconds_total', 'max_fds', 'open_fds', 'resident_memory_bytes', 'start_time_seconds', 'virtual_memory_bytes', 'virtual_memory_max_bytes']) {
    add(`process_${m}`, m.endsWith('_total') ? 'counter' : m.includes('max') || m.includes('start') ? 'const' : 'gauge');
  }
  for (const c of ['encoding', 'gathering']) add('promhttp_metric_handler_errors_total', 'const', [['cause', c]]);
  for (const c of ['200', '500', '503']) add('promhttp_metric_handler_requests_total', c === '200' ? 'counter' : 'const', [['code', c]]);
  // Prometheus appends these after every scrape.
  add('up', 'const');
  add('scrape_duration_seconds', 'gauge');
  add('scrape_samples_post_metric_relabeling', 'const');
  add('scrape_samples_scraped', 'const');
  add('scrape_series_added', 'const');
  return shape.keep ? out.filter(([name]) => shape.keep.includes(name)) : out;
}

/** Metric metadata (one entry per family) for the periodic metadata-only requests. */
export function targetMetadata(series) {
  const seen = new Map();
  for (const [name, , kind] of series) {
    if (seen.has(name)) continue;
    const type = kind === 'counter' ? 1 : 2; // MetricType: 1 COUNTER, 2 GAUGE
    seen.set(name, { type, name, help: `${name.replace(/_/g, ' ')}.`, unit: '' });
  }
  return [...seen.values()];
}
