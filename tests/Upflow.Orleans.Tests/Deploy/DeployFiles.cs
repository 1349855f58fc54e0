using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Orleans.Hosting.Kubernetes;
using Upflow.Orleans.Silo;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Upflow.Orleans.Tests.Deploy;

/// <summary>
/// The files under deploy/, parsed as a container engine or Kubernetes would read them, and what the
/// code says they must agree with. No container engine runs here, so this is their check.
/// </summary>
internal static partial class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static JsonObject Compose => (JsonObject)Load("deploy/docker/compose.yaml").Single()!;

    public static JsonObject Collector => (JsonObject)Load("deploy/docker/otel-collector.yaml").Single()!;

    public static string Dockerfile => File.ReadAllText(PathOf("deploy/docker/Dockerfile"));

    public static JsonObject AppSettings => (JsonObject)JsonNode.Parse(File.ReadAllText(PathOf("silo/appsettings.json")))!;

    /// <summary>Every document of every manifest in deploy/k8s except the kustomization.</summary>
    public static IReadOnlyList<(string File, JsonObject Document)> KubernetesObjects() =>
        Directory.GetFiles(PathOf("deploy/k8s"), "*.yaml").Order(StringComparer.Ordinal)
            .Where(file => Path.GetFileName(file) != "kustomization.yaml")
            .SelectMany(file => Load(Path.GetRelativePath(Root, file)).Select(document => (Path.GetFileName(file), (JsonObject)document!)))
            .ToList();

    public static JsonObject Kubernetes(string kind, string name) =>
        KubernetesObjects().Single(o => (string?)o.Document["kind"] == kind && (string?)o.Document["metadata"]?["name"] == name).Document;

    /// <summary>YAML as JSON nodes, merge keys (&lt;&lt;: *anchor) resolved as Compose resolves them; scalars stay strings.</summary>
    public static IReadOnlyList<JsonNode?> Load(string relative)
    {
        using var reader = new StreamReader(PathOf(relative));
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(reader)));
        return stream.Documents.Select(document => ToJson(document.RootNode)).ToList();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => scalar.Value is null or "" && scalar.Style == ScalarStyle.Plain ? null : JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };

    /// <summary>
    /// Configuration keys the silo reads: key literals in silo/, api/ and grains/, sections of bound
    /// options classes (a <c>Section</c> constant) with their properties, connection strings by name,
    /// and the host's own URL keys.
    /// </summary>
    public static IReadOnlySet<string> ConfigurationKeys { get; } = FindConfigurationKeys();

    /// <summary>Environment variables read as such: Orleans' Kubernetes hosting's and OpenTelemetry's OTEL_*.</summary>
    public static bool IsReadEnvironmentVariable(string name) =>
        KubernetesEnvironmentVariables.Contains(name) || name.StartsWith("OTEL_", StringComparison.Ordinal);

    public static IReadOnlySet<string> KubernetesEnvironmentVariables { get; } = typeof(KubernetesHostingOptions)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.Name.EndsWith("EnvironmentVariable", StringComparison.Ordinal))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToHashSet();

    /// <summary>True when an environment variable (with `__` nesting) reaches a key the silo reads.</summary>
    public static bool IsUnderstood(string variable)
    {
        if (IsReadEnvironmentVariable(variable)) return true;
        // ASPNETCORE_-prefixed variables are host configuration with the prefix removed.
        var key = (variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ? variable["ASPNETCORE_".Length..] : variable).Replace("__", ":");
        return ConfigurationKeys.Contains(key);
    }

    private static HashSet<string> FindConfigurationKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey };
        var sources = new[] { "silo", "api", "grains" }
            .SelectMany(folder => Directory.GetFiles(PathOf(folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        foreach (var source in sources)
        {
            keys.UnionWith(KeyLiteral().Matches(source).Select(match => match.Groups[1].Value));
            keys.UnionWith(ConnectionStringName().Matches(source).Select(match => $"ConnectionStrings:{match.Groups[1].Value}"));
        }
        foreach (var type in new[] { typeof(Program).Assembly, typeof(Secrets.SecretBox).Assembly }.SelectMany(assembly => assembly.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetRawConstantValue() is string section)
                keys.UnionWith(type.GetProperties().Where(property => property.CanWrite).Select(property => $"{section}:{property.Name}"));
        }
        return keys;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Upflow.Orleans.sln"))) return directory.FullName;
        throw new InvalidOperationException("Upflow.Orleans.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\"([A-Z][A-Za-z]*(?::[A-Z][A-Za-z]*)+)\"")]
    private static partial Regex KeyLiteral();

    [GeneratedRegex("GetConnectionString\\(\"([A-Za-z]+)\"\\)")]
    private static partial Regex ConnectionStringName();
}
