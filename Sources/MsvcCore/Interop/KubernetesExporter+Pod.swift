import Collections
import Foundation

extension KubernetesExporter {
    /// The service's container: image, command and args, env, ports, probes, state volume.
    mutating func container(_ s: ServiceConfig) -> CIYAML {
        let path = "services.\(s.name)"
        var fields: [(String, CIYAML)] = [("name", .string(s.name)), ("image", .string(image(s)))]
        var used: [String] = []
        var args: [String] = []
        for arg in s.command.arguments {
            let t = plan.translate(arg, service: s.name, path: path + ".command", style: .kubernetes, report: &report)
            args.append(t.text)
            used += t.references
        }
        if case .shell = s.command {
            report.changed(path + ".shell", "runs /bin/sh -c in the container; the image needs /bin/sh")
        }
        if let first = args.first {
            fields.append(("command", .strings([first])))
            if args.count > 1 { fields.append(("args", .strings(Array(args.dropFirst())))) }
        }
        var values: OrderedDictionary<String, String> = [:]
        for (k, v) in plan.discovery { values[k] = v }
        for (k, v) in plan.selfVariables(s.name) { values[k] = v }
        var written: [(String, String)] = []
        for (k, v) in stack.env.merging(s.env, uniquingKeysWith: { $1 }) {
            let p = s.env[k] != nil ? "\(path).env.\(k)" : "env.\(k)"
            let t = plan.translate(v, service: s.name, path: p, style: .kubernetes, report: &report)
            used += t.references
            written.append((k, t.text))
        }
        var probes: [(String, CIYAML)] = []
        for (key, name, probe) in [("health", "readinessProbe", s.health), ("liveness", "livenessProbe", s.liveness)] {
            guard let probe else { continue }
            if let (yaml, refs) = self.probe(probe, s, path: "\(path).\(key)") {
                probes.append((name, yaml))
                used += refs
            }
        }
        var env: [CIYAML] = []
        var referenced: [String] = []
        for name in used where !referenced.contains(name) {
            referenced.append(name)
            env.append(reference(name, s))
        }
        for (k, v) in values where !written.contains(where: { $0.0 == k }) {
            env.append(.pairs([("name", .string(k)), ("value", .string(v))]))
        }
        for (k, v) in written where !(referenced.contains(k) && v == "$(\(k))") {
            env.append(.pairs([("name", .string(k)), ("value", .string(v))]))
        }
        if !env.isEmpty { fields.append(("env", .list(env))) }
        let envFrom = (stack.envFile + s.envFile).compactMap(configMapReference)
        if !envFrom.isEmpty { fields.append(("envFrom", .list(envFrom))) }
        if let ports = plan.ports[s.name], !ports.isEmpty {
            fields.append(("ports", .list(ports.map { name, number in
                .pairs([("name", .string(portName(s, name))), ("containerPort", .int(number))])
            })))
            for name in ports.keys where !name.isEmpty && portName(s, name) != name {
                report.changed("\(path).ports.\(name)", "Kubernetes port names are at most 15 lowercase letters, digits and -; named \(portName(s, name))")
            }
        }
        fields += probes
        if plan.usesState(s.name) {
            fields.append(("volumeMounts", .list([.pairs([("name", .string("msvc-state")), ("mountPath", .string(ExportPlan.stateMount))])])))
        }
        return .pairs(fields)
    }

    /// The image, with environment references resolved to their defaults (an image cannot
    /// refer to the container's env).
    mutating func image(_ s: ServiceConfig) -> String {
        guard s.imageOrDefault.contains("${") else { return s.imageOrDefault.replacingOccurrences(of: "$$", with: "$") }
        let resolved = (try? Interpolation.expand(s.imageOrDefault) { _ in .unset }) ?? s.imageOrDefault
        report.changed("services.\(s.name).image", "\(s.imageOrDefault) cannot refer to the environment in Kubernetes; written as \(resolved)")
        return resolved
    }

    /// An env entry that takes a referenced variable from the environment ConfigMap, or from
    /// the Secret when its name looks secret; records it for the ConfigMap.
    mutating func reference(_ name: String, _ s: ServiceConfig) -> CIYAML {
        let texts = plan.strings(of: s)
        let fallback = ExportPlan.defaultValue(of: name, in: texts)
        if references[name] == nil {
            references[name] = fallback ?? ""
            if ExportPlan.looksSecret(name) {
                report.changed("", "${\(name)} is read from the Secret \(secretName) (key \(name)), which msvc does not write; create it before applying")
            } else if fallback == nil {
                report.changed("", "${\(name)} has no default in msvc.yaml; set it in the ConfigMap \(environmentConfigMap) (written empty)")
            }
        }
        let secret = ExportPlan.looksSecret(name)
        return .pairs([
            ("name", .string(name)),
            ("valueFrom", .pairs([(secret ? "secretKeyRef" : "configMapKeyRef", .pairs([
                ("name", .string(secret ? secretName : environmentConfigMap)), ("key", .string(name)),
            ]))])),
        ])
    }

    /// A readiness or liveness probe; nil (and a report line) for a log probe.
    mutating func probe(_ p: Probe, _ s: ServiceConfig, path: String) -> (CIYAML, [String])? {
        var refs: [String] = []
        let check: (String, CIYAML)
        switch p.check {
        case .http(let probePath, let port, let status, let headers):
            var fields: [(String, CIYAML)] = [("path", .string(probePath)), ("port", .string(portName(s, port ?? "")))]
            if !headers.isEmpty {
                fields.append(("httpHeaders", .list(headers.map { .pairs([("name", .string($0.key)), ("value", .string($0.value))]) })))
            }
            if status != 200...399 {
                report.changed(path + ".http.status", "Kubernetes counts 200-399 as success; \(status.lowerBound)-\(status.upperBound) cannot be expressed")
            }
            check = ("httpGet", .pairs(fields))
        case .tcp(let port):
            check = ("tcpSocket", .pairs([("port", .string(portName(s, port ?? "")))]))
        case .exec(let command):
            let t = plan.translate(command, service: s.name, path: path + ".exec", style: .shell, report: &report)
            refs = t.references
            check = ("exec", .pairs([("command", .strings(["/bin/sh", "-c", t.text]))]))
        case .log(let regex):
            report.dropped(path, "a log probe (\(regex)) cannot be expressed in Kubernetes; \(s.name) counts as ready once its container runs")
            return nil
        }
        var fields: [(String, CIYAML)] = [check]
        let timings: [(String, Duration, Int, String)] = [
            ("initialDelaySeconds", p.startPeriod, 0, "start_period"), ("periodSeconds", p.interval, 1, "interval"),
            ("timeoutSeconds", p.timeout, 1, "timeout"),
        ]
        for (key, value, minimum, name) in timings {
            let (n, rounded) = ExportPlan.seconds(value, minimum: minimum)
            if rounded { report.changed("\(path).\(name)", "\(Units.format(value)) rounded up to \(n)s (Kubernetes counts whole seconds)") }
            if key != "initialDelaySeconds" || n > 0 { fields.append((key, .int(n))) }
        }
        fields.append(("failureThreshold", .int(p.retries)))
        return (.pairs(fields), refs)
    }

    /// Init containers that hold the pod until its dependencies are healthy or completed.
    mutating func initContainers(_ s: ServiceConfig) -> (containers: [CIYAML], usesAccount: Bool) {
        var containers: [CIYAML] = []
        var account = false
        var started: [String] = []
        for d in s.dependsOn {
            guard let target = stack.services[d.service] else { continue }
            let exported = selected().contains { $0.name == target.name }
            if !exported {
                report.dropped("services.\(s.name).depends_on.\(d.service)", "\(d.service) is not exported, so nothing waits for it")
                continue
            }
            switch d.condition {
            case .started:
                started.append(d.service)
            case .healthy where isJob(target) == false && plan.ports[target.name]?.isEmpty == false:
                let number = plan.ports[target.name]!.values.first!
                containers.append(.pairs([
                    ("name", .string("wait-for-" + d.service)),
                    ("image", .string(Self.tcpWaitImage)),
                    ("command", .strings(["sh", "-c",
                        "until nc -z -w 2 \(d.service) \(number); do echo waiting for \(d.service) to be ready; sleep 1; done"])),
                ]))
            case .healthy, .completed:
                account = true
                let job = isJob(target)
                let (kind, condition) = job ? ("job", "complete") : ("deployment", "available")
                containers.append(.pairs([
                    ("name", .string("wait-for-" + d.service)),
                    ("image", .string(Self.kubectlImage)),
                    ("command", .strings(["kubectl", "wait", "--for=condition=\(condition)", "--timeout=10m", "\(kind)/\(d.service)"])),
                ]))
                if d.condition == .healthy && job {
                    report.changed("services.\(s.name).depends_on.\(d.service)", "\(d.service) runs as a Job; waiting for it to complete")
                }
            }
        }
        if !started.isEmpty {
            report.dropped("services.\(s.name).depends_on", "Kubernetes starts pods in any order; started-only dependencies (\(started.joined(separator: ", "))) are not waited for")
        }
        return (containers, account)
    }

    /// Whether any pod waits with kubectl, which needs permission to read Deployments and Jobs.
    var needsWaitAccount: Bool {
        selected().contains { s in
            s.dependsOn.contains { d in
                guard let t = stack.services[d.service], selected().contains(where: { $0.name == t.name }) else { return false }
                return d.condition != .started && (isJob(t) || plan.ports[t.name]?.isEmpty != false)
            }
        }
    }

    /// A ServiceAccount allowed to read Deployments and Jobs, for `kubectl wait`.
    func waitAccountObjects() -> [CIYAML] {
        let rule: (String, String) -> CIYAML = { group, resource in
            .pairs([("apiGroups", .strings([group])), ("resources", .strings([resource])), ("verbs", .strings(["get", "list", "watch"]))])
        }
        return [
            object("v1", "ServiceAccount", waitAccount, labels: partOf, [:]),
            object("rbac.authorization.k8s.io/v1", "Role", waitAccount, labels: partOf, [
                ("rules", .list([rule("apps", "deployments"), rule("batch", "jobs")])),
            ]),
            object("rbac.authorization.k8s.io/v1", "RoleBinding", waitAccount, labels: partOf, [
                ("roleRef", .pairs([("apiGroup", .string("rbac.authorization.k8s.io")), ("kind", .string("Role")), ("name", .string(waitAccount))])),
                ("subjects", .list([.pairs([
                    ("kind", .string("ServiceAccount")), ("name", .string(waitAccount)),
                    ("namespace", .string(options.namespace ?? "default")),
                ])])),
            ]),
        ]
    }

    /// The volume behind MSVC_STATE_DIR, shared by every service that uses it.
    mutating func stateClaimObject() -> CIYAML {
        let users = selected().filter { plan.usesState($0.name) }.map(\.name)
        if users.count > 1 || users.contains(where: { stack.services[$0]!.replicas > 1 }) {
            report.changed("", "MSVC_STATE_DIR is the volume \(stateClaim) (ReadWriteOnce), shared by \(users.joined(separator: ", ")); their pods must run on one node, or give the claim ReadWriteMany storage")
        }
        return object("v1", "PersistentVolumeClaim", stateClaim, labels: partOf, [
            ("spec", .pairs([
                ("accessModes", .strings(["ReadWriteOnce"])),
                ("resources", .pairs([("requests", .pairs([("storage", .string("1Gi"))]))])),
            ])),
        ])
    }

    /// The ConfigMap name of an env file: project, then the path's letters and digits.
    func configMapName(_ ref: EnvFileRef) -> String {
        var slug = ""
        for c in ref.path.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) { slug.append(c) } else if !slug.isEmpty && slug.last != "-" { slug.append("-") }
        }
        while slug.last == "-" { slug.removeLast() }
        return String((project + "-" + (slug.isEmpty ? "env" : slug)).prefix(253))
    }

    /// `envFrom` for an env file that exists (a missing optional one is left out).
    func configMapReference(_ ref: EnvFileRef) -> CIYAML? {
        guard options.readFile(resolve(ref.path)) != nil else { return nil }
        var fields: [(String, CIYAML)] = [("name", .string(configMapName(ref)))]
        if ref.optional { fields.append(("optional", .bool(true))) }
        return .pairs([("configMapRef", .pairs(fields))])
    }

    /// `path` made absolute against msvc.yaml's folder.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (options.directory as NSString).appendingPathComponent(path)
    }

    /// One ConfigMap per env file, its variables as data.
    mutating func envFileConfigMaps(_ refs: [EnvFileRef], path: String) -> [CIYAML] {
        var docs: [CIYAML] = []
        for (i, ref) in refs.enumerated() where !writtenConfigMaps.contains(configMapName(ref)) {
            writtenConfigMaps.insert(configMapName(ref))
            guard let text = options.readFile(resolve(ref.path)) else {
                report.changed("\(path)[\(i)]", "optional env file \(ref.path) does not exist here, so no ConfigMap is written for it")
                continue
            }
            let known = plan.discovery
            let (entries, _) = EnvFile.parseAll(text) { name in
                if let v = known[name] { return .value(v) }
                return .deferred
            }
            var data: OrderedDictionary<String, String> = [:]
            for (k, v) in entries {
                data[k] = v
                if v.contains("${") {
                    report.changed("\(path)[\(i)]", "\(k) in \(ref.path) refers to \(v), which a ConfigMap cannot expand; written as it is")
                }
            }
            docs.append(object("v1", "ConfigMap", configMapName(ref), labels: partOf, annotations: [("msvc.dev/env-file", ref.path)], [
                ("data", .pairs(data.map { ($0.key, .string($0.value)) })),
            ]))
        }
        return docs
    }
}
