using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace ToonStore.Tests
{
    [TestFixture]
    public class ErrorTests : TestBase
    {
        [Test]
        public void EveryCodeOfTheHeaderIsInTheEnumWithItsCName()
        {
            string header = File.ReadAllText(Path.Combine(Root, "include", "toonstore.h"));
            var codes = Regex.Matches(header, @"#define (TOONSTORE_ERR_[A-Z_]+) (-\d+)")
                .Cast<Match>().ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
            Assert.GreaterOrEqual(codes.Count, 13);
            foreach (var kv in codes)
            {
                Assert.IsTrue(Enum.IsDefined(typeof(ErrorCode), kv.Value), kv.Key + " is missing from ErrorCode");
                Assert.AreEqual(kv.Key, ErrorNames.Of(kv.Value));
                Assert.AreEqual(kv.Key, ErrorNames.Of((ErrorCode)kv.Value));
                // The enum member is the C name in PascalCase without the prefix.
                // (NOMEM reads better as NoMem.)
                string pascal = kv.Key == "TOONSTORE_ERR_NOMEM" ? "NoMem" : string.Concat(kv.Key.Substring("TOONSTORE_ERR_".Length).Split('_')
                    .Select(w => w.Substring(0, 1) + w.Substring(1).ToLowerInvariant()));
                Assert.AreEqual(pascal, ((ErrorCode)kv.Value).ToString(), kv.Key);
            }
            StringAssert.StartsWith("TOONSTORE_ERR_UNKNOWN", ErrorNames.Of(-999));
            Assert.AreEqual("TOONSTORE_ERR_LOCKED", new ToonStoreException(ErrorCode.Locked, "m").ErrorName);
        }

        [Test]
        public void InvalidArg()
        {
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("a"));
                var e = ThrowsCode(ErrorCode.InvalidArg, () => db.Get(-1));
                StringAssert.Contains("-1", e.Message);
                ThrowsCode(ErrorCode.InvalidArg, () => { byte[] d; db.TryGet(-5, out d); });
                ThrowsCode(ErrorCode.InvalidArg, () => db.Contains(-1));
                ThrowsCode(ErrorCode.InvalidArg, () => db.Delete(-1));
                ThrowsCode(ErrorCode.InvalidArg, () => db.OpenScan(-1));
                ThrowsCode(ErrorCode.InvalidArg, () => db.Scan(-1).ToList());
                Assert.AreEqual("a", S(db.Get(0)), "nothing lost");
            }
            e2(ErrorCode.InvalidArg, new ToonStoreOptions { SegmentSize = 1 }, "segment_size");
            e2(ErrorCode.InvalidArg, new ToonStoreOptions { MaxValueSize = 0 }, "max_value_size");
            e2(ErrorCode.InvalidArg, new ToonStoreOptions { Durability = (Durability)9 }, "durability");
            Assert.IsFalse(Directory.Exists(Dir + "x"), "a refused open creates nothing");
            Assert.Throws<ArgumentNullException>(() => ToonStoreDb.Open(null));
            Assert.Throws<ArgumentException>(() => ToonStoreDb.Open("a\0b"));
        }

        private void e2(ErrorCode code, ToonStoreOptions o, string inMessage)
        {
            var e = ThrowsCode(code, () => ToonStoreDb.Open(Dir + "x", o));
            StringAssert.Contains(inMessage, e.Message);
        }

        [Test]
        public void NotFoundOnlyFromABatchDeleteOfAnAbsentRow()
        {
            using (var db = ToonStoreDb.Open(Dir))
            using (var b = new WriteBatch())
            {
                var e = ThrowsCode(ErrorCode.NotFound, () => db.Write(b.Delete(3)));
                StringAssert.Contains("3", e.Message);
            }
        }

        [Test]
        public void Io()
        {
            File.WriteAllText(Path.Combine(Tmp, "file"), "x");
            ThrowsCode(ErrorCode.Io, () => ToonStoreDb.Open(Path.Combine(Tmp, "file", "db")));
            var e = ThrowsCode(ErrorCode.Io, () => ToonStoreDb.Open(Dir, new ToonStoreOptions { CreateIfMissing = false }));
            StringAssert.Contains("no database", e.Message);
            Assert.IsFalse(Directory.Exists(Dir), "nothing created");
        }

        [Test]
        public void Corrupt()
        {
            using (var db = ToonStoreDb.Open(Dir))
                for (int i = 0; i < 10; i++) db.Put(B("row number " + i + " row number"));
            ApiTests.CorruptFirstSegment(Dir);
            var e = ThrowsCode(ErrorCode.Corrupt, () => ToonStoreDb.Open(Dir));
            // The engine names the damaged file and offset; which check trips
            // (a checksum or a length past the data) depends on the byte hit.
            StringAssert.Contains("0000000000000001.seg at offset", e.Message);
        }

        [Test]
        public void TooLargeLosesNothing()
        {
            using (var db = ToonStoreDb.Open(Dir, new ToonStoreOptions { MaxValueSize = 8 }))
            using (var b = new WriteBatch())
            {
                Assert.AreEqual(0, db.Put(B("12345678")));
                var e = ThrowsCode(ErrorCode.TooLarge, () => db.Put(B("123456789")));
                StringAssert.Contains("9", e.Message);
                b.Put(B("ok")).Put(B("123456789"));
                ThrowsCode(ErrorCode.TooLarge, () => db.Write(b));
                Assert.AreEqual(new long[] { 0 }, db.Scan().Select(r => r.RowId).ToArray());
                Assert.AreEqual(1, db.Put(B("next")));
            }
        }

        [Test]
        public void ReadOnly()
        {
            using (var db = ToonStoreDb.Open(Dir)) db.Put(B("a"));
            using (var db = ToonStoreDb.Open(Dir, new ToonStoreOptions { ReadOnly = true }))
            using (var b = new WriteBatch())
            {
                b.Put(B("x"));
                var calls = new Dictionary<string, TestDelegate>
                {
                    { "Put", () => db.Put(B("x")) },
                    { "PutDurability", () => db.Put(B("x"), Durability.Full) },
                    { "Delete", () => db.Delete(0) },
                    { "Write", () => db.Write(b) },
                    { "Sync", () => db.Sync() },
                    { "Compact", () => db.Compact() },
                };
                foreach (var c in calls) ThrowsCode(ErrorCode.ReadOnly, c.Value);
                Assert.AreEqual("a", S(db.Get(0)));
                Assert.AreEqual(1, db.Stats().LiveRows);
            }
            ThrowsCode(ErrorCode.Io, () => ToonStoreDb.Open(Dir + "2", new ToonStoreOptions { ReadOnly = true }));
        }

        [Test]
        public void Version()
        {
            var e = ThrowsCode(ErrorCode.Version, () => ToonStoreDb.Open(Dir, new ToonStoreOptions { StructVersion = 99 }));
            StringAssert.Contains("99", e.Message);
            ThrowsCode(ErrorCode.Version, () => ToonStoreDb.Open(Dir, new ToonStoreOptions { StructVersion = 0 }));
        }

        [Test]
        public void LockedWithinTheProcessFromACheck()
        {
            using (ToonStoreDb.Open(Dir))
                ThrowsCode(ErrorCode.Locked, () => ToonStoreDb.Check(Dir));
        }

        [Test]
        public void MessagesAreThoseOfTheCallingThread()
        {
            // The C last error is thread-local: each thread's exception carries the
            // message of its own failing call, whatever other threads do meanwhile.
            using (var db = ToonStoreDb.Open(Dir, new ToonStoreOptions { MaxValueSize = 8 }))
            {
                var failures = new List<string>();
                var threads = new List<System.Threading.Thread>();
                for (int t = 0; t < 4; t++)
                {
                    int k = t;
                    var th = new System.Threading.Thread(() =>
                    {
                        for (int i = 0; i < 2000; i++)
                        {
                            try
                            {
                                if (k % 2 == 0) db.Get(-1 - k * 1000 - i);
                                else db.Put(new byte[9 + k + (i % 50)]);
                                lock (failures) failures.Add("no exception");
                            }
                            catch (ToonStoreException e)
                            {
                                string want = k % 2 == 0 ? (-1 - k * 1000 - i).ToString() : (9 + k + (i % 50)) + " bytes";
                                var wantCode = k % 2 == 0 ? ErrorCode.InvalidArg : ErrorCode.TooLarge;
                                if (e.Code != wantCode || !e.Message.Contains(want))
                                    lock (failures) failures.Add(k + ": " + e.Message);
                            }
                        }
                    });
                    threads.Add(th);
                    th.Start();
                }
                threads.ForEach(th => th.Join());
                Assert.IsEmpty(failures, string.Join("\n", failures.Take(5)));
            }
        }
    }
}
