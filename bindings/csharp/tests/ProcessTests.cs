using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using NUnit.Framework;

namespace ToonStore.Tests
{
    /// <summary>Other processes: the lock, kill -9.</summary>
    [TestFixture]
    public class ProcessTests : TestBase
    {
        internal static Process StartChild(params string[] args)
        {
            string mono = Environment.GetEnvironmentVariable("TOONSTORE_TEST_MONO") ?? "mono";
            var psi = new ProcessStartInfo(mono, "--debug \"" + ChildExe + "\" " + string.Join(" ", Array.ConvertAll(args, a => "\"" + a + "\"")))
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            return Process.Start(psi);
        }

        internal static string RunChild(params string[] args)
        {
            using (var p = StartChild(args))
            {
                p.StandardInput.Close();
                string o = p.StandardOutput.ReadToEnd();
                string e = p.StandardError.ReadToEnd();
                Assert.IsTrue(p.WaitForExit(60000), "child timed out");
                Assert.AreEqual(0, p.ExitCode, "child failed: " + o + e);
                return o;
            }
        }

        [Test]
        public void ASecondProcessIsRefusedWithLocked()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("mine"));
                using (var p = StartChild("open", Dir))
                {
                    p.StandardInput.Close();
                    string o = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    Assert.AreEqual(1, p.ExitCode, o);
                    StringAssert.StartsWith("error TOONSTORE_ERR_LOCKED: ", o);
                }
                Assert.AreEqual("mine", S(db.Get(0)), "the holder is unaffected");
            }
            // Released on Dispose: the other process may open it now.
            Assert.AreEqual("ok", RunChild("open", Dir).Trim());
        }

        [Test]
        public void ThisProcessIsRefusedWhileAnotherHoldsIt()
        {
            using (var p = StartChild("hold", Dir))
            {
                Assert.AreEqual("ready", p.StandardOutput.ReadLine());
                var e = ThrowsCode(ErrorCode.Locked, () => ToonStoreDb.Open(Dir));
                StringAssert.Contains(Dir, e.Message);
                p.StandardInput.Close();
                Assert.IsTrue(p.WaitForExit(60000));
                Assert.AreEqual(0, p.ExitCode);
            }
            using (var db = ToonStoreDb.Open(Dir)) Assert.AreEqual(0, db.Put(B("now mine")));
        }

        [Test]
        public void KillNineLosesNoAcknowledgedRow()
        {
            for (int round = 0; round < 3; round++)
            {
                long lastAcked = -1;
                using (var p = StartChild("write", Dir, "1000000"))
                {
                    // Let it write a while, then SIGKILL it mid-stream.
                    int target = 2000 + round * 3000;
                    string line;
                    while ((line = p.StandardOutput.ReadLine()) != null)
                    {
                        Assert.IsTrue(line.StartsWith("acked "), line);
                        lastAcked = long.Parse(line.Substring(6));
                        if (lastAcked >= target) break;
                    }
                    Assert.AreEqual(0, Syscall.Kill(p.Id, 9), "kill -9");
                    // Rows acknowledged after our last read are fine to have too.
                    p.WaitForExit();
                }
                Assert.Greater(lastAcked, 0);
                using (var db = ToonStoreDb.Open(Dir))
                {
                    var s = db.Stats();
                    Assert.GreaterOrEqual(s.NextRowId, lastAcked + 1);
                    int i = 0;
                    long prev = -1;
                    foreach (var row in db.Scan())
                    {
                        Assert.AreEqual(prev + 1, row.RowId, "rows form a prefix: no hole");
                        prev = row.RowId;
                        i++;
                    }
                    Assert.GreaterOrEqual(prev, lastAcked, "every acknowledged row is there");
                    // Each child numbers its rows from 0; the id of "row k" of this round is base + k.
                    Assert.AreEqual("row " + (lastAcked - BaseOf(db, lastAcked)), S(db.Get(lastAcked)));
                    Assert.AreEqual(db.Stats().LiveRows, i);
                }
            }
            Assert.IsTrue(ToonStoreDb.Check(Dir).Healthy);
        }

        // The id of the first row of the round that wrote row `id`: the row
        // "row 0" at or below it.
        private static long BaseOf(ToonStoreDb db, long id)
        {
            for (long k = id; k >= 0; k--)
                if (S(db.Get(k)) == "row 0") return k;
            return 0;
        }
    }

    internal static class Syscall
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
        internal static extern int Kill(int pid, int sig);
    }
}
