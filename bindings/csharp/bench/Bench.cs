// Benchmark (not a test) of the C# binding: put, get in random order and a
// full scan, from one thread, on the rows of the Ruby binding's benchmark
// (TOON lines of 60-120 bytes, the same generator). Prints a Markdown table of
// the median [min-max] of the runs, on the wall clock and per CPU-second of
// the benchmark thread, then the C harness's figures of the same run when
// bench.sh passes them (--c-csv: benches/compare's results.csv), and the floors.
//
//   mono Bench.exe [--rows N] [--runs 3] [--dir DIR] [--c-csv FILE]
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using ToonStore;

internal static class Bench
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clock, out Timespec ts);

    private const int ClockThreadCputimeId = 3;

    private static double ThreadCpu()
    {
        Timespec t;
        clock_gettime(ClockThreadCputimeId, out t);
        return t.Sec + t.Nsec / 1e9;
    }

    // The Ruby benchmark's rows (bindings/ruby/bench/bench.rb, make_rows).
    private static byte[][] MakeRows(int n)
    {
        ulong x = 0x9E3779B97F4A7C15;
        var rows = new byte[n][];
        for (int i = 0; i < n; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            var line = new StringBuilder();
            line.Append("users[").Append(i).Append("]{id,name,email,age,bio}: ").Append(i).Append(",Name").Append(i)
                .Append(",user").Append(i).Append("@example.com,").Append(18 + (int)(x % 60)).Append(',');
            int target = 60 + (int)((x >> 8) % 61);
            line.Append((char)('a' + (int)((x >> 16) % 26)), Math.Max(target - line.Length, 1));
            rows[i] = Encoding.ASCII.GetBytes(line.ToString());
        }
        return rows;
    }

    private static string Num(double v) { return Math.Round(v).ToString("N0", CultureInfo.InvariantCulture); }

    private static double Median(List<double> v) { var s = v.OrderBy(a => a).ToList(); return s[s.Count / 2]; }

    private static string Fmt(List<double> v)
    {
        var s = v.OrderBy(a => a).ToList();
        return Num(Median(s)) + " [" + Num(s[0]) + "-" + Num(s[s.Count - 1]) + "]";
    }

    private static int Main(string[] args)
    {
        int rowsN = int.Parse(Environment.GetEnvironmentVariable("TOONSTORE_BENCH_ROWS") ?? "1000000");
        int runs = 3;
        string baseDir = null, cCsv = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rowsN = int.Parse(args[++i]); break;
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--dir": baseDir = args[++i]; break;
                case "--c-csv": cCsv = args[++i]; break;
                default: Console.Error.WriteLine("unknown argument " + args[i]); return 2;
            }
        }
        baseDir = baseDir ?? Path.Combine(Path.GetTempPath(), "toonstore-cs-bench");
        var rows = MakeRows(rowsN);
        long totalBytes = rows.Sum(r => (long)r.Length);
        var rng = new Random(42);
        var order = Enumerable.Range(0, rowsN).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        string loadStart = File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);
        var wall = new Dictionary<string, List<double>> { { "put", new List<double>() }, { "get", new List<double>() }, { "scan", new List<double>() } };
        var cpu = new Dictionary<string, List<double>> { { "put", new List<double>() }, { "get", new List<double>() }, { "scan", new List<double>() } };

        for (int run = 0; run < runs; run++)
        {
            string dir = Path.Combine(baseDir, "run" + run);
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            using (var db = ToonStoreDb.Open(dir))
            {
                var ids = new long[rowsN];
                GC.Collect();
                var sw = Stopwatch.StartNew();
                double c0 = ThreadCpu();
                for (int i = 0; i < rowsN; i++) ids[i] = db.Put(rows[i]);
                Record(wall, cpu, "put", rowsN, sw, c0);

                GC.Collect();
                long got = 0;
                sw = Stopwatch.StartNew();
                c0 = ThreadCpu();
                foreach (int i in order) got += db.Get(ids[i]).Length;
                Record(wall, cpu, "get", rowsN, sw, c0);
                if (got != totalBytes) throw new Exception("get: wrong bytes");

                GC.Collect();
                long n = 0, bytes = 0;
                sw = Stopwatch.StartNew();
                c0 = ThreadCpu();
                foreach (var r in db.Scan())
                {
                    n++;
                    bytes += r.Item2.Length;
                }
                Record(wall, cpu, "scan", rowsN, sw, c0);
                if (n != rowsN || bytes != totalBytes) throw new Exception("scan: wrong rows");
            }
            Directory.Delete(dir, true);
            Console.Error.WriteLine("run {0}: put {1}/s  get {2}/s  scan {3} rows/s", run + 1,
                Num(wall["put"].Last()), Num(wall["get"].Last()), Num(wall["scan"].Last()));
        }

        // The cost per call of the binding, where the engine's work is small and
        // cached: 1,024 rows of 100 bytes read in a cycle, as benches/boundary
        // does from C (BENCHMARKS.md, "C boundary"). Median [min-max] of 5 runs of 2,000,000 calls.
        var hot = new Dictionary<string, List<double>> { { "Get (100 B, cached)", new List<double>() }, { "Contains", new List<double>() } };
        string hotDir = Path.Combine(baseDir, "hot");
        if (Directory.Exists(hotDir)) Directory.Delete(hotDir, true);
        using (var db = ToonStoreDb.Open(hotDir))
        {
            var row = new byte[100];
            for (int i = 0; i < 1024; i++) db.Put(row);
            const int calls = 2000000;
            long sink = 0;
            for (int run = 0; run < 6; run++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++) sink += db.Get(i & 1023).Length;
                double g = sw.Elapsed.TotalMilliseconds * 1e6 / calls;
                sw = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++) sink += db.Contains(i & 1023) ? 1 : 0;
                double c = sw.Elapsed.TotalMilliseconds * 1e6 / calls;
                if (run == 0) continue; // warm-up
                hot["Get (100 B, cached)"].Add(g);
                hot["Contains"].Add(c);
            }
            if (sink != 6L * 2000000 * 101) throw new Exception("hot: wrong results");
        }
        Directory.Delete(hotDir, true);

        Console.WriteLine("date: " + DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"));
        Console.WriteLine("MONO_THREADS_SUSPEND: " + (Environment.GetEnvironmentVariable("MONO_THREADS_SUSPEND") ?? "(unset: the runtime's default)"));
        Console.WriteLine("rows: {0} ({1:F1} B/row), runs: {2}, one thread", rowsN, (double)totalBytes / rowsN, runs);
        Console.WriteLine("runtime: Mono {0}; ToonStore.dll over libtoonstore {1}; nproc {2}",
            MonoVersion(), ToonStoreDb.LibraryVersion, Environment.ProcessorCount);
        Console.WriteLine("load average: {0} at the start, {1} at the end", loadStart,
            File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b));
        Console.WriteLine();
        Console.WriteLine("| C# (ToonStoreDb) | put ops/s | get ops/s (random) | scan rows/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine("| wall clock, median [min-max] | {0} | {1} | {2} |", Fmt(wall["put"]), Fmt(wall["get"]), Fmt(wall["scan"]));
        Console.WriteLine("| per CPU-second of the thread | {0} | {1} | {2} |", Fmt(cpu["put"]), Fmt(cpu["get"]), Fmt(cpu["scan"]));
        if (cCsv != null && File.Exists(cCsv))
        {
            // benches/compare's CSV: engine,workload,ops,seconds,rate,value,unit,...
            var c = File.ReadAllLines(cCsv).Select(l => l.Split(','))
                .Where(f => f.Length > 5 && f[0] == "toonstore").ToDictionary(f => f[1], f => double.Parse(f[4], CultureInfo.InvariantCulture));
            Func<string, string> g = k => c.ContainsKey(k) ? Num(c[k]) : "?";
            Console.WriteLine("| C harness (benches/compare, same run, wall) | {0} | {1} | {2} |",
                g("put_single_nosync"), g("get_random"), g("scan"));
        }
        Console.WriteLine();
        Console.WriteLine("| per call, 1,024 rows cycled | ns, median [min-max] |");
        Console.WriteLine("|---|---:|");
        foreach (var kv in hot)
        {
            var v = kv.Value.OrderBy(a => a).ToList();
            Console.WriteLine("| {0} | {1:F1} [{2:F1}-{3:F1}] |", kv.Key, v[v.Count / 2], v[0], v[v.Count - 1]);
        }
        Console.WriteLine();
        foreach (var op in new[] { "put", "get" })
        {
            double m = Median(wall[op]);
            Console.WriteLine("floor {0} >= 1,000,000/s (wall): {1} ({2}/s; {3}/CPU-s)", op, m >= 1e6 ? "met" : "MISSED",
                Num(m), Num(Median(cpu[op])));
        }
        return 0;
    }

    private static void Record(Dictionary<string, List<double>> wall, Dictionary<string, List<double>> cpu,
        string op, int n, Stopwatch sw, double c0)
    {
        double c = ThreadCpu() - c0;
        wall[op].Add(n / sw.Elapsed.TotalSeconds);
        cpu[op].Add(n / c);
    }

    private static string MonoVersion()
    {
        var t = Type.GetType("Mono.Runtime");
        if (t == null) return Environment.Version.ToString();
        var m = t.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        return m == null ? "?" : (string)m.Invoke(null, null);
    }
}
