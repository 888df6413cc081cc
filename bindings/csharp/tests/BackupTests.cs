using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace ToonStore.Tests
{
    /// <summary>Online backup and read-only handles beside a writer in another process (issue 17).</summary>
    [TestFixture]
    public class BackupTests : TestBase
    {
        private static SortedDictionary<long, string> Rows(ToonStoreDb db)
        {
            var rows = new SortedDictionary<long, string>();
            foreach (var r in db.Scan()) rows.Add(r.RowId, S(r.Data));
            return rows;
        }

        [Test]
        public void BackupOpensOnItsOwnWithEveryRowAndTheSameIds()
        {
            string dest = Path.Combine(Tmp, "backup");
            SortedDictionary<long, string> before;
            using (var db = ToonStoreDb.Open(Dir))
            {
                for (int i = 0; i < 300; i++) db.Put(B("row " + i));
                Assert.IsTrue(db.Delete(7));
                before = Rows(db);
                db.Backup(dest);
                db.Put(B("after the backup"));
            }
            using (var copy = ToonStoreDb.Open(dest))
            {
                CollectionAssert.AreEqual(before, Rows(copy));
                Assert.IsNull(copy.Get(7), "a row deleted before the backup stays deleted");
                Assert.AreEqual(300, copy.Put(B("next")), "ids continue after those of the copy");
            }
            using (var db = ToonStoreDb.Open(Dir))
                Assert.AreEqual(300, db.Stats().LiveRows, "the original is untouched");
        }

        [Test]
        public void BackupIntoAnEmptyDirectory()
        {
            string empty = Path.Combine(Tmp, "empty");
            Directory.CreateDirectory(empty);
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("x"));
                db.Backup(empty);
            }
            using (var copy = ToonStoreDb.Open(empty))
                Assert.AreEqual("x", S(copy.Get(0)));
        }

        [Test]
        public void BackupRefusesADestinationThatExistsAndLeavesItAsItWas()
        {
            string full = Path.Combine(Tmp, "full");
            Directory.CreateDirectory(full);
            File.WriteAllText(Path.Combine(full, "keep.txt"), "mine");
            string file = Path.Combine(Tmp, "file");
            File.WriteAllText(file, "a file");
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("x"));
                foreach (string dest in new[] { full, file, Dir })
                    ThrowsCode(ErrorCode.InvalidArg, () => db.Backup(dest));
                ThrowsCode(ErrorCode.InvalidArg, () => db.Backup(""));
                Assert.Throws<ArgumentNullException>(() => db.Backup(null));
                Assert.Throws<ArgumentException>(() => db.Backup("bad\0path"));
                Assert.AreEqual(1, db.Stats().LiveRows);
            }
            CollectionAssert.AreEqual(new[] { Path.Combine(full, "keep.txt") }, Directory.GetFileSystemEntries(full));
            Assert.AreEqual("mine", File.ReadAllText(Path.Combine(full, "keep.txt")));
            Assert.AreEqual("a file", File.ReadAllText(file));
        }

        [Test]
        public void BackupToAPlaceThatCannotBeWrittenFailsWithIoAndLeavesNothing()
        {
            string file = Path.Combine(Tmp, "file");
            File.WriteAllText(file, "not a directory");
            string missing = Path.Combine(Tmp, "gone", "backup");
            using (var db = ToonStoreDb.Open(Dir))
            {
                db.Put(B("x"));
                ThrowsCode(ErrorCode.Io, () => db.Backup(Path.Combine(file, "backup")));
                ThrowsCode(ErrorCode.Io, () => db.Backup(missing));
                db.Put(B("still writable"));
                Assert.AreEqual(2, db.Stats().LiveRows);
            }
            Assert.IsFalse(Directory.Exists(missing) || File.Exists(missing));
            Assert.AreEqual("not a directory", File.ReadAllText(file));
        }

        [Test]
        public void BackupAndRefreshOnAClosedHandle()
        {
            var db = ToonStoreDb.Open(Dir);
            db.Dispose();
            string dest = Path.Combine(Tmp, "backup");
            // The binding's rule for a disposed object (as every other call).
            Assert.AreEqual("ToonStoreDb", Assert.Throws<ObjectDisposedException>(() => db.Backup(dest)).ObjectName);
            Assert.AreEqual("ToonStoreDb", Assert.Throws<ObjectDisposedException>(() => db.Refresh()).ObjectName);
            Assert.IsFalse(Directory.Exists(dest));
        }

        [Test]
        public void RefreshOnAWritableHandleOrOneSharingItDoesNothing()
        {
            using (var db = ToonStoreDb.Open(Dir))
            using (var ro = ToonStoreDb.Open(Dir, new ToonStoreOptions { ReadOnly = true }))
            {
                db.Put(B("a"));
                Assert.AreEqual(1, ro.Stats().LiveRows, "a read-only handle sharing the writable engine sees writes at once");
                db.Refresh();
                ro.Refresh();
                db.Put(B("b"));
                var want = new SortedDictionary<long, string> { { 0, "a" }, { 1, "b" } };
                CollectionAssert.AreEqual(want, Rows(db));
                CollectionAssert.AreEqual(want, Rows(ro));
            }
        }

        [TestCase(Durability.Off)]
        [TestCase(Durability.Normal)]
        [TestCase(Durability.Full)]
        public void AReaderBesideAWriterProcessSeesNewRowsAfterRefresh(Durability durability)
        {
            string dest = Path.Combine(Tmp, "backup");
            var want = new SortedDictionary<long, string>();
            using (var writer = ProcessTests.StartChild("putter", Dir, durability.ToString()))
            {
                try
                {
                    Assert.AreEqual("ready", writer.StandardOutput.ReadLine());
                    Func<string, long> put = v =>
                    {
                        writer.StandardInput.WriteLine(v);
                        writer.StandardInput.Flush();
                        return long.Parse(writer.StandardOutput.ReadLine());
                    };
                    for (int i = 0; i < 20; i++) want.Add(put("before " + i), "before " + i);
                    ThrowsCode(ErrorCode.Locked, () => ToonStoreDb.Open(Dir));
                    using (var reader = ToonStoreDb.Open(Dir, new ToonStoreOptions { ReadOnly = true }))
                    {
                        CollectionAssert.AreEqual(want, Rows(reader), "every row acknowledged before the open");
                        long later = put("later");
                        Assert.IsNull(reader.Get(later), "a read-only open is a fixed state until Refresh");
                        using (var snap = reader.OpenSnapshot())
                        {
                            reader.Refresh();
                            Assert.AreEqual("later", S(reader.Get(later)));
                            Assert.IsNull(snap.Get(later), "a snapshot taken before keeps its state");
                        }
                        want.Add(later, "later");
                        reader.Backup(dest);
                        long more = put("after the backup");
                        reader.Refresh();
                        Assert.AreEqual("after the backup", S(reader.Get(more)));
                    }
                    writer.StandardInput.Close();
                    Assert.IsTrue(writer.WaitForExit(60000), "the writer process did not exit");
                    Assert.AreEqual(0, writer.ExitCode, writer.StandardError.ReadToEnd());
                }
                finally
                {
                    if (!writer.HasExited) writer.Kill();
                }
            }
            using (var copy = ToonStoreDb.Open(dest, new ToonStoreOptions { ReadOnly = true }))
                CollectionAssert.AreEqual(want, Rows(copy), "the backup holds the reader's state when it was taken");
        }
    }
}
