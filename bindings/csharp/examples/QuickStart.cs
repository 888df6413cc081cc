// The quick start of docs/csharp/README.md, compiled against ToonStore.dll
// and run by bindings/csharp/build_and_test.sh.
//   mono QuickStart.exe [directory]
using System;
using System.IO;
using System.Text;
using ToonStore;

internal static class QuickStart
{
    private static int Main(string[] args)
    {
        string path = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "quickstart-db");

        using (var db = ToonStoreDb.Open(path))
        {
            long id = db.Put(Encoding.UTF8.GetBytes("hello"));
            db.Put(Encoding.UTF8.GetBytes("world"));

            byte[] row = db.Get(id);                       // null when absent
            Console.WriteLine("row {0}: {1}", id, Encoding.UTF8.GetString(row));

            using (var batch = new WriteBatch())           // all or nothing
            {
                batch.Put(Encoding.UTF8.GetBytes("a")).Put(Encoding.UTF8.GetBytes("b")).Delete(id);
                long first = db.Write(batch);
                Console.WriteLine("batch: first id {0}", first);
            }

            foreach (var r in db.Scan())                   // ascending ids, a snapshot
                Console.WriteLine("{0} = {1}", r.RowId, Encoding.UTF8.GetString(r.Data));

            Console.WriteLine("live rows: {0}", db.Stats().LiveRows);
        }

        try
        {
            using (var ro = ToonStoreDb.Open(path, new ToonStoreOptions { ReadOnly = true }))
                ro.Put(new byte[1]);
        }
        catch (ToonStoreException e)
        {
            Console.WriteLine("{0} ({1})", e.ErrorName, e.Code);
        }
        return 0;
    }
}
