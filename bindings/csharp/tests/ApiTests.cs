using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace ToonStore.Tests
{
    [TestFixture]
    public class ApiTests : TestBase
    {
        [Test]
        public void PutGetTryGetContainsDelete()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                Assert.AreEqual(0, db.Put(B("first")));
                Assert.AreEqual(1, db.Put(new ReadOnlySpan<byte>(B("xsecondx"), 1, 6)));
                Assert.AreEqual(2, db.Put(new byte[0]));
                Assert.AreEqual("first", S(db.Get(0)));
                Assert.AreEqual("second", S(db.Get(1)));
                Assert.AreEqual(0, db.Get(2).Length, "an empty row is an empty array, not null");
                Assert.IsNull(db.Get(3), "never assigned");
                byte[] data;
                Assert.IsTrue(db.TryGet(1, out data));
                Assert.AreEqual("second", S(data));
                Assert.IsFalse(db.TryGet(99, out data));
                Assert.IsNull(data);
                Assert.IsTrue(db.Contains(0));
                Assert.IsFalse(db.Contains(3));
                Assert.IsTrue(db.Delete(0));
                Assert.IsFalse(db.Delete(0), "already deleted");
                Assert.IsFalse(db.Delete(77), "never assigned");
                Assert.IsNull(db.Get(0));
                Assert.IsFalse(db.Contains(0));
                Assert.AreEqual(3, db.Put(B("after")), "ids are never reused");
                Assert.AreEqual(Dir, db.Path);
            }
        }

        [Test]
        public void GetOfRowsLargerThanTheScratchBuffer()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                var sizes = new[] { 4095, 4096, 4097, 100000, 3 * 1024 * 1024, 10 };
                var ids = new List<long>();
                foreach (int n in sizes)
                {
                    var b = new byte[n];
                    for (int i = 0; i < n; i++) b[i] = (byte)(i * 7 + n);
                    ids.Add(db.Put(b));
                }
                for (int k = 0; k < sizes.Length; k++)
                {
                    byte[] got = db.Get(ids[k]);
                    Assert.AreEqual(sizes[k], got.Length);
                    for (int i = 0; i < got.Length; i++)
                        if (got[i] != (byte)(i * 7 + sizes[k])) Assert.Fail("byte {0} of row {1}", i, k);
                }
            }
        }

        [Test]
        public void PutWithDurability()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                Assert.AreEqual(0, db.Put(B("full"), Durability.Full));
                Assert.AreEqual(1, db.Put(B("off"), Durability.Off));
                Assert.AreEqual(2, db.Put(B("normal"), Durability.Normal));
                Assert.AreEqual("off", S(db.Get(1)));
                ThrowsCode(ErrorCode.InvalidArg, () => db.Put(B("x"), (Durability)7));
                Assert.AreEqual(3, db.Put(B("next")), "the refused put used no id");
            }
        }

        [Test]
        public void ScanRangeBoundsReverseAndTheLastRows()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                for (int i = 0; i < 10; i++) db.Put(B("r" + i));
                db.Delete(3);
                db.Delete(9);
                Assert.AreEqual(new long[] { 2, 4, 5 }, db.ScanRange(2, 6).Select(r => r.RowId).ToArray());
                Assert.AreEqual(new long[] { 5, 4, 2 }, db.ScanRange(2, 6, true).Select(r => r.RowId).ToArray());
                Assert.AreEqual(new long[] { 8, 7 }, db.ScanRange(7, ToonStoreDb.ScanEnd, true).Select(r => r.RowId).ToArray());
                Assert.AreEqual(0, db.ScanRange(4, 4, true).Count());
                // The last two rows, newest first.
                var last = db.ScanRange(0, ToonStoreDb.ScanEnd, true).Take(2).ToArray();
                Assert.AreEqual(new long[] { 8, 7 }, last.Select(r => r.RowId).ToArray());
                Assert.AreEqual("r8", S(last[0].Data));
                ThrowsCode(ErrorCode.InvalidArg, () => db.ScanRange(5, 4).ToArray());
                ThrowsCode(ErrorCode.InvalidArg, () => db.ScanRange(-1, 4).ToArray());
                ThrowsCode(ErrorCode.InvalidArg, () => db.ScanRange(0, -1, true).ToArray());
                using (var snap = db.OpenSnapshot())
                {
                    db.Put(B("later"));
                    Assert.AreEqual(new long[] { 8, 7, 6 }, snap.ScanRange(6, ToonStoreDb.ScanEnd, true).Select(r => r.RowId).ToArray());
                    ThrowsCode(ErrorCode.InvalidArg, () => snap.ScanRange(2, 1).ToArray());
                }
                Assert.AreEqual(new long[] { 10 }, db.ScanRange(9, ToonStoreDb.ScanEnd, true).Select(r => r.RowId).ToArray());
            }
        }

        [Test]
        public void ScanInOrderFromAnIdAndAsASnapshot()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                for (int i = 0; i < 10; i++) db.Put(B("r" + i));
                db.Delete(3);
                db.Delete(7);
                var all = db.Scan().Select(r => r.RowId + "=" + S(r.Data)).ToArray();
                Assert.AreEqual(new[] { "0=r0", "1=r1", "2=r2", "4=r4", "5=r5", "6=r6", "8=r8", "9=r9" }, all);
                Assert.AreEqual(new long[] { 6, 8, 9 }, db.Scan(6).Select(r => r.RowId).ToArray());
                Assert.AreEqual(new long[] { 8, 9 }, db.Scan(7).Select(r => r.RowId).ToArray());
                Assert.AreEqual(0, db.Scan(100).Count());

                // An enumeration sees the rows as of its start.
                var seen = new List<long>();
                foreach (var row in db.Scan())
                {
                    if (row.RowId == 0)
                    {
                        db.Put(B("later"));
                        db.Delete(9);
                    }
                    seen.Add(row.RowId);
                }
                Assert.AreEqual(new long[] { 0, 1, 2, 4, 5, 6, 8, 9 }, seen.ToArray());
                Assert.AreEqual(new long[] { 8, 10 }, db.Scan(8).Select(r => r.RowId).ToArray(), "a new enumeration sees them");

                // Each enumeration of the same IEnumerable is a new scan.
                var scan = db.Scan(8);
                Assert.AreEqual(2, scan.Count());
                db.Put(B("more"));
                Assert.AreEqual(3, scan.Count());
            }
        }

        [Test]
        public void ScanEnumeratorEndsAndIsReleasedByDispose()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("a"));
                var e = db.OpenScan();
                Assert.IsTrue(e.MoveNext());
                Assert.AreEqual(0, e.Current.Item1);
                Assert.AreEqual("a", S(e.Current.Item2));
                Assert.IsFalse(e.MoveNext());
                Assert.IsFalse(e.MoveNext(), "the end stays the end");
                Assert.Throws<NotSupportedException>(() => e.Reset());
                e.Dispose();
                e.Dispose();
                Assert.Throws<ObjectDisposedException>(() => e.MoveNext());

                // Breaking out of foreach disposes the enumerator (LINQ's First too).
                Assert.AreEqual(0, db.Scan().First().RowId);
            }
        }

        [Test]
        public void ScanKeepsWorkingAfterTheDatabaseIsDisposed()
        {
            var db = ToonStoreDb.Open(Dir);
            db.Put(B("a"));
            db.Put(B("b"));
            var e = db.OpenScan();
            var snap = db.OpenSnapshot();
            db.Dispose();
            Assert.IsTrue(e.MoveNext());
            Assert.IsTrue(e.MoveNext());
            Assert.AreEqual("b", S(e.Current.Item2));
            Assert.IsFalse(e.MoveNext());
            e.Dispose();
            Assert.AreEqual("a", S(snap.Get(0)));
            snap.Dispose();
        }

        [Test]
        public void BatchIsAtomic()
        {
            using (var db = ToonStoreDb.Open(Dir))
            using (var batch = new WriteBatch())
            {
                db.Put(B("zero"));
                batch.Put(B("one")).Put(new ReadOnlySpan<byte>(B("two"))).Delete(0);
                Assert.AreEqual(3, batch.Count);
                Assert.AreEqual(2, batch.PutCount);
                Assert.AreEqual(1, db.Write(batch));
                Assert.AreEqual(0, batch.Count, "cleared after a commit");
                Assert.IsNull(db.Get(0));
                Assert.AreEqual("two", S(db.Get(2)));

                // A failing batch writes nothing and stays as it was.
                batch.Put(B("three")).Delete(0);
                ThrowsCode(ErrorCode.NotFound, () => db.Write(batch));
                Assert.AreEqual(2, batch.Count);
                Assert.AreEqual(2, db.Stats().LiveRows);
                Assert.IsNull(db.Get(3));
                batch.Clear();
                Assert.AreEqual(0, batch.Count);
                Assert.AreEqual(-1, db.Write(batch.Delete(1)), "no put: -1");
                Assert.IsNull(db.Get(1));
                Assert.AreEqual(3, db.Put(B("next")), "the failed batch used no id");
                ThrowsCode(ErrorCode.InvalidArg, () => batch.Delete(-1));
                Assert.Throws<ArgumentNullException>(() => db.Write(null));
                Assert.Throws<ArgumentNullException>(() => batch.Put((byte[])null));
            }
        }

        [Test]
        public void BatchAfterDisposeAndForgotten()
        {
            var batch = new WriteBatch();
            batch.Put(B("x"));
            batch.Dispose();
            batch.Dispose();
            Assert.Throws<ObjectDisposedException>(() => batch.Put(B("y")));
            Assert.Throws<ObjectDisposedException>(() => batch.Delete(0));
            Assert.Throws<ObjectDisposedException>(() => batch.Clear());
            using (var db = ToonStoreDb.Open(Dir))
            {
                Assert.Throws<ObjectDisposedException>(() => db.Write(batch));
                Assert.AreEqual(0, db.Stats().NextRowId);
            }
        }

        [Test]
        public void SnapshotSeesTheDatabaseAsOfItsOpening()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("a"));
                db.Put(B("b"));
                using (var snap = db.OpenSnapshot())
                {
                    db.Delete(0);
                    db.Put(B("c"));
                    Assert.AreEqual("a", S(snap.Get(0)));
                    Assert.IsNull(snap.Get(2));
                    Assert.AreEqual(new long[] { 0, 1 }, snap.Scan().Select(r => r.RowId).ToArray());
                    Assert.AreEqual(new long[] { 1 }, snap.Scan(1).Select(r => r.RowId).ToArray());
                    ThrowsCode(ErrorCode.InvalidArg, () => snap.Get(-1));
                }
            }
        }

        [Test]
        public void SnapshotAfterDisposeThrowsObjectDisposed()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("a"));
                var snap = db.OpenSnapshot();
                var scan = snap.Scan();
                snap.Dispose();
                snap.Dispose();
                var calls = new Dictionary<string, TestDelegate>
                {
                    { "Get", () => snap.Get(0) },
                    { "Scan", () => snap.Scan() },
                    { "Scan enumeration", () => scan.GetEnumerator() },
                    { "OpenScan", () => snap.OpenScan() },
                };
                foreach (var c in calls)
                    Assert.AreEqual("Snapshot", Assert.Throws<ObjectDisposedException>(c.Value, c.Key).ObjectName, c.Key);
                Assert.AreEqual("a", S(db.Get(0)));
            }
        }

        [Test]
        public void SyncCompactStats()
        {
            using (var db = ToonStoreDb.Open(Dir, new ToonStoreOptions { SegmentSize = 4096 }))
            {
                var s0 = db.Stats();
                Assert.AreEqual(0, s0.LiveRows);
                Assert.AreEqual(0, s0.NextRowId);
                for (int i = 0; i < 200; i++) db.Put(new byte[100]);
                for (int i = 0; i < 150; i++) db.Delete(i);
                db.Sync();
                var s1 = db.Stats();
                Assert.AreEqual(50, s1.LiveRows);
                Assert.AreEqual(150, s1.DeletedRows);
                Assert.AreEqual(200, s1.NextRowId);
                Assert.Greater(s1.LiveBytes, 50 * 100 - 1);
                Assert.Greater(s1.DiskBytes, 0);
                Assert.Greater(s1.SegmentCount, 1);
                Assert.Greater(s1.GarbageFraction, 0.5);
                db.Compact();
                var s2 = db.Stats();
                Assert.Less(s2.DiskBytes, s1.DiskBytes, "compaction reclaims space");
                Assert.Less(s2.GarbageFraction, s1.GarbageFraction);
                Assert.AreEqual(50, s2.LiveRows);
                Assert.AreEqual(new byte[100], db.Get(199));
                Assert.AreEqual(200, db.Put(B("x")));
            }
        }

        [Test]
        public void ReopenKeepsEveryRow()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                for (int i = 0; i < 100; i++) db.Put(B("row " + i));
                db.Delete(5);
            }
            using (var db = ToonStoreDb.Open(Dir))
            {
                Assert.AreEqual(99, db.Stats().LiveRows);
                Assert.IsNull(db.Get(5));
                Assert.AreEqual("row 99", S(db.Get(99)));
                Assert.AreEqual(100, db.Put(B("new")));
            }
            using (var db = ToonStoreDb.Open(Dir, new ToonStoreOptions { ReadOnly = true }))
            {
                Assert.AreEqual("new", S(db.Get(100)));
                Assert.AreEqual(100, db.Scan().Count());
            }
        }

        [Test]
        public void OptionsAreApplied()
        {
            var o = new ToonStoreOptions
            {
                Durability = Durability.Full,
                CreateIfMissing = true,
                VerifyChecksums = false,
                SyncIntervalMs = 10,
                MaxValueSize = 16,
            };
            using (var db = ToonStoreDb.Open(Dir, o))
            {
                Assert.AreEqual(0, db.Put(new byte[16]));
                ThrowsCode(ErrorCode.TooLarge, () => db.Put(new byte[17]));
            }
        }

        [Test]
        public void DisposeIsIdempotentAndLaterUseThrowsObjectDisposed()
        {
            var db = ToonStoreDb.Open(Dir);
            db.Put(B("a"));
            var scan = db.Scan();
            db.Dispose();
            db.Dispose();
            db.Close();
            Assert.IsTrue(db.IsDisposed);
            var calls = new Dictionary<string, TestDelegate>
            {
                { "Put", () => db.Put(B("x")) },
                { "PutSpan", () => db.Put(new ReadOnlySpan<byte>(B("x"))) },
                { "PutDurability", () => db.Put(B("x"), Durability.Full) },
                { "Get", () => db.Get(0) },
                { "TryGet", () => { byte[] d; db.TryGet(0, out d); } },
                { "Contains", () => db.Contains(0) },
                { "Delete", () => db.Delete(0) },
                { "Scan", () => db.Scan() },
                { "Scan enumeration", () => scan.GetEnumerator() },
                { "OpenScan", () => db.OpenScan() },
                { "Write", () => { using (var b = new WriteBatch()) db.Write(b); } },
                { "OpenSnapshot", () => db.OpenSnapshot() },
                { "Sync", () => db.Sync() },
                { "Compact", () => db.Compact() },
                { "Stats", () => db.Stats() },
            };
            foreach (var c in calls)
            {
                var e = Assert.Throws<ObjectDisposedException>(c.Value, c.Key);
                Assert.AreEqual("ToonStoreDb", e.ObjectName, c.Key);
            }
            using (var again = ToonStoreDb.Open(Dir))
            {
                Assert.AreEqual("a", S(again.Get(0)), "Dispose flushed and released the lock");
            }
        }

        [Test]
        public void CloseReportsSuccess()
        {
            var db = ToonStoreDb.Open(Dir);
            db.Put(B("a"));
            db.Close();
            db.Close();
            Assert.Throws<ObjectDisposedException>(() => db.Get(0));
        }

        [Test]
        public void ForgottenDatabaseIsClosedByTheFinalizer()
        {
            // On a thread of its own, so that no stale slot of this thread's
            // stack keeps the object alive (Mono scans stacks conservatively).
            var t = new System.Threading.Thread(() => OpenAndForget(Dir));
            t.Start();
            t.Join();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using (var db = ToonStoreDb.Open(Dir))
            {
                Assert.AreEqual("forgotten", S(db.Get(0)));
            }
            // The lock is free for another process too.
            var r = ToonStore.Tests.ProcessTests.RunChild("read", Dir, "0");
            Assert.AreEqual("forgotten", r.Trim());
        }

        private static void OpenAndForget(string dir)
        {
            var db = ToonStoreDb.Open(dir);
            db.Put(B("forgotten"));
            db.OpenScan(); // a forgotten iterator too
        }

        [Test]
        public void CheckReportsHealthAndDamage()
        {
            using (var db = ToonStoreDb.Open(Dir))
                for (int i = 0; i < 10; i++) db.Put(B("row number " + i + " row number"));
            var ok = ToonStoreDb.Check(Dir);
            Assert.IsTrue(ok.Healthy);
            Assert.AreEqual(10, ok.Records);
            Assert.AreEqual(10, ok.LiveRows);
            Assert.AreEqual(1, ok.Segments);
            Assert.AreEqual("", ok.FirstProblem);
            using (ToonStoreDb.Open(Dir))
                ThrowsCode(ErrorCode.Locked, () => ToonStoreDb.Check(Dir));
            CorruptFirstSegment(Dir);
            var bad = ToonStoreDb.Check(Dir);
            Assert.IsFalse(bad.Healthy);
            StringAssert.Contains(".seg", bad.FirstProblem);
            ThrowsCode(ErrorCode.Io, () => ToonStoreDb.Check(Path.Combine(Tmp, "nothing here")));
            Assert.Throws<ArgumentNullException>(() => ToonStoreDb.Check(null));
        }

        internal static void CorruptFirstSegment(string dir)
        {
            string seg = Directory.GetFiles(dir, "*.seg").OrderBy(f => f).First();
            byte[] bytes = File.ReadAllBytes(seg);
            bytes[100] ^= 0xff;
            File.WriteAllBytes(seg, bytes);
        }

        [Test]
        public void VersionString()
        {
            StringAssert.IsMatch(@"^\d+\.\d+\.\d+$", ToonStoreDb.LibraryVersion);
        }
    }
}
