namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Tables of named forgeries. A theory row carries only the name, so the test list reads as the
/// list of attacks, and the forgery itself is built against the running service.
/// </summary>
internal static class Cases
{
    public static TheoryData<string> Names<T>(IReadOnlyDictionary<string, T> table)
    {
        var names = new TheoryData<string>();
        foreach (var name in table.Keys)
        {
            names.Add(name);
        }

        return names;
    }
}
