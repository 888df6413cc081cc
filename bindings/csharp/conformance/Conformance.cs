// The C# runner of the shared conformance vectors (tests/conformance/README.md),
// an NUnit fixture with one test per case (TestCaseSource), run by
// scripts/conformance.sh (`csharp`) through nunit-console.
//
// Mapping of the language-neutral outcomes (the one place that says so):
// - "absent": Get / Snapshot.Get return null;
// - "invalid_id": this binding passes signed ids to the C ABI, which answers
//   TOONSTORE_ERR_INVALID_ARG for every op (WriteBatch.Delete throws it when
//   the delete is added, before the commit);
// - errors: ToonStoreException.ErrorName; ObjectDisposedException (use after
//   Dispose) is TOONSTORE_ERR_CLOSED;
// - delete of an absent row: Delete returns false, which is TOONSTORE_ERR_NOT_FOUND.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Json;
using System.Linq;
using System.Text;
using NUnit.Framework;
using ToonStore;

namespace ToonStore.Conformance
{
    internal sealed class StepFailure : Exception
    {
        public StepFailure(string m) : base(m) { }
    }

    [TestFixture]
    public class ConformanceTests
    {
        private static readonly HashSet<string> Capabilities = new HashSet<string>
        {
            "use_after_close", "negative_ids", "options_version", "readers_outlive_close",
        };

        // Ops this binding lacks (none).
        private static readonly HashSet<string> MissingOps = new HashSet<string>();

        private static string VectorDir
        {
            get
            {
                string d = Environment.GetEnvironmentVariable("TOONSTORE_CONFORMANCE_DIR");
                if (!string.IsNullOrEmpty(d)) return d;
                string root = Environment.GetEnvironmentVariable("TOONSTORE_TEST_ROOT") ?? ".";
                return Path.Combine(root, "tests", "conformance");
            }
        }

        private static Dictionary<string, JsonObject> _cases;

        private static Dictionary<string, JsonObject> LoadCases()
        {
            if (_cases != null) return _cases;
            var all = new Dictionary<string, JsonObject>();
            foreach (string f in Directory.GetFiles(VectorDir, "*.json").OrderBy(x => x, StringComparer.Ordinal))
            {
                var doc = (JsonObject)JsonValue.Parse(File.ReadAllText(f));
                string stem = Path.GetFileNameWithoutExtension(f);
                foreach (JsonObject c in (JsonArray)doc["cases"]) all.Add(stem + "/" + (string)c["name"], c);
            }
            if (all.Count == 0) throw new InvalidOperationException("no conformance vectors in " + VectorDir);
            return _cases = all;
        }

        public static IEnumerable<string> CaseIds() { return LoadCases().Keys; }

        private static void Report(string line)
        {
            string path = Environment.GetEnvironmentVariable("TOONSTORE_CONFORMANCE_REPORT");
            if (string.IsNullOrEmpty(path)) return;
            lock (typeof(ConformanceTests)) File.AppendAllText(path, line + "\n");
        }

        [Test, TestCaseSource("CaseIds")]
        public void Case(string id)
        {
            JsonObject c = LoadCases()[id];
            string reason = SkipReason(c);
            if (reason != null)
            {
                Report("SKIP " + id + ": " + reason);
                Assert.Ignore(reason);
            }
            string dir = Path.Combine(Path.GetTempPath(), "toonstore-cs-conf-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var run = new CaseRun(Path.Combine(dir, "db"));
            try
            {
                run.Run((JsonArray)c["steps"]);
                Report("PASS " + id);
            }
            catch (StepFailure e)
            {
                Report("FAIL " + id + ": " + e.Message);
                Assert.Fail(id + ": " + e.Message);
            }
            finally
            {
                run.Cleanup();
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        private static string SkipReason(JsonObject c)
        {
            if (c.ContainsKey("requires"))
                foreach (JsonValue r in (JsonArray)c["requires"])
                    if (!Capabilities.Contains((string)r)) return "requires " + (string)r;
            foreach (JsonObject s in (JsonArray)c["steps"])
                if (MissingOps.Contains((string)s["op"])) return "op " + (string)s["op"] + " is not in this binding";
            return null;
        }
    }

    /// <summary>The state of one case: the handle, iterators, snapshots, the lock-holding child.</summary>
    internal sealed class CaseRun
    {
        private readonly string _dir;
        private ToonStoreDb _db;
        private readonly Dictionary<string, ScanEnumerator> _iters = new Dictionary<string, ScanEnumerator>();
        private readonly Dictionary<string, Snapshot> _snaps = new Dictionary<string, Snapshot>();
        private Process _holder;

        internal CaseRun(string dir) { _dir = dir; }

        internal void Run(JsonArray steps)
        {
            for (int i = 0; i < steps.Count; i++)
            {
                var s = (JsonObject)steps[i];
                string op = s.ContainsKey("op") ? (string)s["op"] : "?";
                string want, got;
                try
                {
                    if (!s.ContainsKey("expect")) throw new StepFailure("no expect");
                    want = Expected(s["expect"]);
                    got = Do(op, s);
                }
                catch (StepFailure e)
                {
                    throw new StepFailure("step " + i + " (" + op + "): " + e.Message);
                }
                if (want != got) throw new StepFailure("step " + i + " (" + op + "): expected " + want + ", got " + got);
            }
        }

        internal void Cleanup()
        {
            foreach (var it in _iters.Values) it.Dispose();
            foreach (var sn in _snaps.Values) sn.Dispose();
            if (_db != null) _db.Dispose();
            ReleaseLock();
        }

        // ---- outcomes as canonical strings -------------------------------------------

        private static string Hex(byte[] b)
        {
            var sb = new StringBuilder(b.Length * 2);
            foreach (byte x in b) sb.Append(x.ToString("x2"));
            return sb.ToString();
        }

        private static string Row(long id, byte[] b) { return id + ":" + Hex(b); }

        private static string Expected(JsonValue e)
        {
            if (e.JsonType == JsonType.String)
            {
                string s = (string)e;
                switch (s)
                {
                    case "ok": case "absent": case "end": return s;
                    case "invalid_id": return "error TOONSTORE_ERR_INVALID_ARG"; // the mapping (top of file)
                    default: throw new StepFailure("unknown expect " + s);
                }
            }
            var o = e as JsonObject;
            if (o == null || o.Count != 1) throw new StepFailure("unknown expect " + e);
            var kv = o.First();
            switch (kv.Key)
            {
                case "id": return "id " + (long)kv.Value;
                case "value": return "value " + Hex(Bytes(kv.Value));
                case "bool": return "bool " + ((bool)kv.Value ? "true" : "false");
                case "count": return "count " + (long)kv.Value;
                case "rows": return "rows [" + string.Join(",", ((JsonArray)kv.Value).Select(r => Row((long)r[0], Bytes(r[1])))) + "]";
                case "row": return "row " + Row((long)kv.Value[0], Bytes(kv.Value[1]));
                case "ids": return "ids [" + string.Join(",", ((JsonArray)kv.Value).Select(x => ((long)x).ToString())) + "]";
                case "error": return "error " + (string)kv.Value;
                default: throw new StepFailure("unknown expect " + e);
            }
        }

        private static byte[] Bytes(JsonValue v)
        {
            var o = v as JsonObject;
            if (o == null || o.Count != 1) throw new StepFailure("bad bytes " + v);
            if (o.ContainsKey("utf8")) return Encoding.UTF8.GetBytes((string)o["utf8"]);
            if (o.ContainsKey("hex"))
            {
                string h = (string)o["hex"];
                var b = new byte[h.Length / 2];
                for (int i = 0; i < b.Length; i++) b[i] = Convert.ToByte(h.Substring(2 * i, 2), 16);
                return b;
            }
            throw new StepFailure("bad bytes " + v);
        }

        private static JsonValue Arg(JsonObject s, string key)
        {
            if (!s.ContainsKey(key)) throw new StepFailure("missing argument " + key);
            return s[key];
        }

        private static long Start(JsonObject s) { return s.ContainsKey("start") ? (long)s["start"] : 0; }

        /// <summary>scan_range / snapshot_scan_range: ScanRange(start, stop, reverse), at most
        /// limit rows read (Take stops the enumeration early and disposes the scan).</summary>
        private static string RangeRows(JsonObject s, Func<long, long, bool, IEnumerable<ValueTuple<long, byte[]>>> scan)
        {
            long stop = s.ContainsKey("stop") ? (long)s["stop"] : ToonStoreDb.ScanEnd;
            bool reverse = s.ContainsKey("reverse") && (bool)s["reverse"];
            IEnumerable<ValueTuple<long, byte[]>> rows = scan(Start(s), stop, reverse);
            if (s.ContainsKey("limit")) rows = rows.Take((int)(long)s["limit"]);
            return "rows [" + string.Join(",", rows.Select(r => Row(r.Item1, r.Item2))) + "]";
        }

        // ---- ops -----------------------------------------------------------------------

        private string Do(string op, JsonObject s)
        {
            try
            {
                return DoOp(op, s);
            }
            catch (ToonStoreException e)
            {
                return "error " + e.ErrorName;
            }
            catch (ObjectDisposedException)
            {
                return "error TOONSTORE_ERR_CLOSED"; // the mapping (top of file)
            }
        }

        private ToonStoreDb Db
        {
            get
            {
                if (_db == null) throw new StepFailure("no open handle");
                return _db;
            }
        }

        private string DoOp(string op, JsonObject s)
        {
            switch (op)
            {
                case "open":
                {
                    var o = new ToonStoreOptions();
                    if (s.ContainsKey("options"))
                    {
                        foreach (var kv in (JsonObject)s["options"])
                        {
                            switch (kv.Key)
                            {
                                case "read_only": o.ReadOnly = (bool)kv.Value; break;
                                case "create_if_missing": o.CreateIfMissing = (bool)kv.Value; break;
                                case "max_value_size": o.MaxValueSize = (ulong)(long)kv.Value; break;
                                case "options_version": o.StructVersion = (uint)(long)kv.Value; break;
                                default: throw new StepFailure("unknown option " + kv.Key);
                            }
                        }
                    }
                    _db = ToonStoreDb.Open(_dir, o);
                    return "ok";
                }
                case "close":
                    Db.Close();
                    return "ok";
                case "put":
                    return "id " + Db.Put(Bytes(Arg(s, "value")));
                case "get":
                {
                    byte[] b = Db.Get((long)Arg(s, "id"));
                    return b == null ? "absent" : "value " + Hex(b);
                }
                case "contains":
                    return "bool " + (Db.Contains((long)Arg(s, "id")) ? "true" : "false");
                case "delete":
                    return Db.Delete((long)Arg(s, "id")) ? "ok" : "error TOONSTORE_ERR_NOT_FOUND";
                case "count":
                    return "count " + Db.Stats().LiveRows;
                case "scan":
                    return "rows [" + string.Join(",", Db.Scan(Start(s)).Select(r => Row(r.Item1, r.Item2))) + "]";
                case "scan_range":
                    return RangeRows(s, (a, b, r) => Db.ScanRange(a, b, r));
                case "snapshot_scan_range":
                {
                    var snap = Snap(s);
                    return RangeRows(s, (a, b, r) => snap.ScanRange(a, b, r));
                }
                case "iter_open":
                {
                    string name = (string)Arg(s, "iter");
                    var it = Db.OpenScan(Start(s));
                    if (_iters.ContainsKey(name)) _iters[name].Dispose();
                    _iters[name] = it;
                    return "ok";
                }
                case "iter_next":
                {
                    string name = (string)Arg(s, "iter");
                    if (!_iters.ContainsKey(name)) throw new StepFailure("no iterator " + name);
                    var it = _iters[name];
                    return it.MoveNext() ? "row " + Row(it.Current.Item1, it.Current.Item2) : "end";
                }
                case "iter_close":
                {
                    string name = (string)Arg(s, "iter");
                    if (_iters.ContainsKey(name))
                    {
                        _iters[name].Dispose();
                        _iters.Remove(name);
                    }
                    return "ok";
                }
                case "batch":
                {
                    using (var b = new WriteBatch())
                    {
                        foreach (JsonObject o in (JsonArray)Arg(s, "ops"))
                        {
                            if (o.ContainsKey("put")) b.Put(Bytes(o["put"]));
                            else if (o.ContainsKey("delete")) b.Delete((long)o["delete"]);
                            else throw new StepFailure("unknown batch op " + o);
                        }
                        int puts = b.PutCount;
                        long first = Db.Write(b);
                        var ids = new List<string>();
                        for (int i = 0; i < puts; i++) ids.Add((first + i).ToString());
                        return "ids [" + string.Join(",", ids) + "]";
                    }
                }
                case "snapshot_open":
                {
                    string name = (string)Arg(s, "snapshot");
                    var sn = Db.OpenSnapshot();
                    if (_snaps.ContainsKey(name)) _snaps[name].Dispose();
                    _snaps[name] = sn;
                    return "ok";
                }
                case "snapshot_get":
                {
                    byte[] b = Snap(s).Get((long)Arg(s, "id"));
                    return b == null ? "absent" : "value " + Hex(b);
                }
                case "snapshot_scan":
                    return "rows [" + string.Join(",", Snap(s).Scan(Start(s)).Select(r => Row(r.Item1, r.Item2))) + "]";
                case "snapshot_close":
                {
                    string name = (string)Arg(s, "snapshot");
                    if (_snaps.ContainsKey(name))
                    {
                        _snaps[name].Dispose();
                        _snaps.Remove(name);
                    }
                    return "ok";
                }
                case "compact":
                    Db.Compact();
                    return "ok";
                case "sync":
                    Db.Sync();
                    return "ok";
                case "hold_lock":
                    HoldLock();
                    return "ok";
                case "release_lock":
                    ReleaseLock();
                    return "ok";
                default:
                    throw new StepFailure("unknown op " + op);
            }
        }

        private Snapshot Snap(JsonObject s)
        {
            string name = (string)Arg(s, "snapshot");
            if (!_snaps.ContainsKey(name)) throw new StepFailure("no snapshot " + name);
            return _snaps[name];
        }

        private void HoldLock()
        {
            // The helper scripts/conformance.sh builds (tests/conformance/hold_lock.c).
            string helper = Environment.GetEnvironmentVariable("TOONSTORE_CONFORMANCE_HOLD_LOCK");
            if (string.IsNullOrEmpty(helper)) throw new StepFailure("TOONSTORE_CONFORMANCE_HOLD_LOCK is not set");
            var psi = new ProcessStartInfo(helper, "\"" + _dir + "\"")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
            };
            _holder = Process.Start(psi);
            string line = _holder.StandardOutput.ReadLine();
            if (line != "ready") throw new StepFailure("hold_lock helper said: " + line);
        }

        private void ReleaseLock()
        {
            if (_holder == null) return;
            _holder.StandardInput.Close();
            _holder.WaitForExit();
            _holder.Dispose();
            _holder = null;
        }
    }
}
