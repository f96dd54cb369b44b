using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Cream.Api.Tests.Infrastructure.CreamTestFramework", "Cream.Api.Tests")]

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// Marks a test, a test class or a fixture as needing something <c>scripts/test.sh</c>
/// provides. Run by plain <c>dotnet test</c> without it, such tests are reported as skipped
/// with the reason; run by the script they always run, so a server or browser the script
/// provided that does not work still fails them.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = true)]
public abstract class NeedsFromTestScriptAttribute : Attribute
{
    /// <summary>What is missing here, named for the skip reason; empty when all is present.</summary>
    public abstract IEnumerable<string> Missing();
}

/// <summary>Needs the script's environment variables (by default the throwaway PostgreSQL and Redis).</summary>
public sealed class NeedsTestServersAttribute(params string[] variables) : NeedsFromTestScriptAttribute
{
    public IReadOnlyList<string> Variables { get; } = variables.Length > 0 ? variables : [TestServers.PostgresVariable, TestServers.RedisVariable];

    public override IEnumerable<string> Missing() =>
        Variables.Where(variable => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)));
}

/// <summary>Needs the Chromium that the script installs.</summary>
public sealed class NeedsChromiumAttribute : NeedsFromTestScriptAttribute
{
    public override IEnumerable<string> Missing() => Chromium.MissingReason is null ? [] : [$"Chromium ({Chromium.ExecutablePath})"];
}

/// <summary>xunit's own framework, whose discovery skips the tests of <see cref="NeedsFromTestScriptAttribute"/> outside the script.</summary>
public sealed class CreamTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider sourceProvider, IMessageSink diagnostics)
        : XunitTestFrameworkDiscoverer(assembly, sourceProvider, diagnostics)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var missing = MissingVariables(testMethod);
            if (missing.Count == 0 || TestServers.Required
                || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var reason = $"needs {string.Join(" and ", missing)}: run scripts/test.sh";
            var skipped = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }

        private static List<string> MissingVariables(ITestMethod testMethod)
        {
            var type = testMethod.TestClass.Class.ToRuntimeType();
            var method = testMethod.Method.ToRuntimeMethod();
            var marks = new List<NeedsFromTestScriptAttribute>();
            marks.AddRange(method?.GetCustomAttributes<NeedsFromTestScriptAttribute>() ?? []);
            if (type is not null)
            {
                marks.AddRange(type.GetCustomAttributes<NeedsFromTestScriptAttribute>());
                // The fixtures a class asks for (IClassFixture<T>) bring their own needs.
                foreach (var fixture in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IClassFixture<>)))
                {
                    marks.AddRange(fixture.GetGenericArguments()[0].GetCustomAttributes<NeedsFromTestScriptAttribute>());
                }
            }

            return marks.SelectMany(mark => mark.Missing()).Distinct().ToList();
        }
    }
}
