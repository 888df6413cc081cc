// Build step for assemblies compiled by Mono's mcs (6.8): mcs writes the
// TupleElementNames attribute of a tuple nested in a generic type with one
// extra leading null (IEnumerable<(long RowId, byte[] Data)> gets
// [null, "RowId", "Data"] instead of ["RowId", "Data"]), so consumers see the
// names shifted (mcs: RowId is Item2) or not at all (Roslyn drops an attribute
// of the wrong length). This rewrites such attributes in place to the layout
// the C# compilers read: one name per tuple element, pre-order.
//
// Usage: mono FixTupleNames.exe <assembly.dll>. Fails on a shape it does not
// know, so a new API signature cannot silently ship with broken names.
using System;
using System.Linq;
using Mono.Cecil;

internal static class FixTupleNames
{
    private const string AttrName = "System.Runtime.CompilerServices.TupleElementNamesAttribute";

    private static int Main(string[] args)
    {
        int fixedCount = 0;
        using (var module = ModuleDefinition.ReadModule(args[0], new ReaderParameters { ReadWrite = true }))
        {
            foreach (var type in module.GetTypes())
            {
                foreach (var m in type.Methods)
                {
                    fixedCount += Fix(m.MethodReturnType.CustomAttributes, m.ReturnType, m.FullName);
                    foreach (var p in m.Parameters) fixedCount += Fix(p.CustomAttributes, p.ParameterType, m.FullName);
                }
                foreach (var p in type.Properties) fixedCount += Fix(p.CustomAttributes, p.PropertyType, p.FullName);
                foreach (var f in type.Fields) fixedCount += Fix(f.CustomAttributes, f.FieldType, f.FullName);
            }
            module.Write();
        }
        Console.WriteLine("FixTupleNames: " + fixedCount + " attribute(s) rewritten in " + args[0]);
        return 0;
    }

    // Number of tuple elements in `t` (the length of a correct names array),
    // and the number of tuple types in it.
    private static void Count(TypeReference t, ref int elements, ref int tuples)
    {
        var g = t as GenericInstanceType;
        if (g != null)
        {
            if (g.ElementType.Namespace == "System" && g.ElementType.Name.StartsWith("ValueTuple`"))
            {
                if (g.GenericArguments.Count > 7) throw new NotSupportedException("tuples of 8+ elements");
                tuples++;
                elements += g.GenericArguments.Count;
            }
            foreach (var a in g.GenericArguments) Count(a, ref elements, ref tuples);
            return;
        }
        var ts = t as TypeSpecification;
        if (ts != null) Count(ts.ElementType, ref elements, ref tuples);
    }

    private static int Fix(Mono.Collections.Generic.Collection<CustomAttribute> attrs, TypeReference type, string where)
    {
        var a = attrs.FirstOrDefault(x => x.AttributeType.FullName == AttrName);
        if (a == null) return 0;
        var names = (CustomAttributeArgument[])a.ConstructorArguments[0].Value;
        int elements = 0, tuples = 0;
        Count(type, ref elements, ref tuples);
        if (names.Length == elements) return 0; // already right
        if (tuples == 1 && names.Length == elements + 1 && names[0].Value == null)
        {
            a.ConstructorArguments[0] = new CustomAttributeArgument(a.ConstructorArguments[0].Type, names.Skip(1).ToArray());
            return 1;
        }
        throw new NotSupportedException(where + ": tuple names of an unknown layout (" + names.Length + " names, " + elements + " elements)");
    }
}
