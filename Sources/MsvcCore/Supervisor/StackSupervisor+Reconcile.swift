import Foundation

/// What `msvc up` on a running stack did (docker compose `up -d` semantics).
public struct ApplyResult: Sendable, Equatable {
    /// One change to one service.
    public enum Change: Sendable, Equatable {
        /// New, newly selected, or stopped before: started.
        case started(String)
        /// Its resolved definition changed: restarted (rolling when it has a port), and why.
        case restarted(String, reason: String)
        /// The restart did not complete (the old process keeps serving): why.
        case restartFailed(String, reason: String)
        /// Removed from msvc.yaml (or disabled): stopped.
        case stopped(String)
        /// Only its replica count changed.
        case scaled(String, from: Int, to: Int)
    }

    /// The changes, in the order they were made.
    public var changes: [Change]
    /// Services left exactly as they were.
    public var unchanged: [String]

    /// Creates a result.
    public init(changes: [Change], unchanged: [String]) {
        self.changes = changes
        self.unchanged = unchanged
    }

    /// Whether every change succeeded.
    public var ok: Bool { !changes.contains { if case .restartFailed = $0 { true } else { false } } }

    /// `started catalog; restarted orders (env changed); stopped legacy`, or `nothing to change`.
    public var summary: String {
        guard !changes.isEmpty else {
            return "nothing to change: \(unchanged.count) service\(unchanged.count == 1 ? "" : "s") up to date"
        }
        return changes.map { c in
            switch c {
            case .started(let s): return "started \(s)"
            case .restarted(let s, let why): return "restarted \(s) (\(why))"
            case .restartFailed(let s, let why): return "could not restart \(s): \(why)"
            case .stopped(let s): return "stopped \(s)"
            case .scaled(let s, let a, let b): return "scaled \(s) from \(a) to \(b)"
            }
        }.joined(separator: "; ")
    }
}

extension StackSupervisor {
    /// Loads msvc.yaml at `file` with `environment` for interpolation, then `apply`s it.
    public func apply(file: String, services names: [String], profiles: [String], environment: [String: String]) async throws -> ApplyResult {
        let new: LoadedStack
        do {
            new = try ConfigLoader.load(path: file, environment: environment)
        } catch {
            throw ControlError.invalidConfig(error.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return try await apply(new, services: names, profiles: profiles)
    }

    /// Applies a new version of msvc.yaml to the running stack: services added or newly
    /// selected start; services whose resolved definition changed restart (rolling where
    /// they have a port); services removed from the file (or disabled) stop; a changed
    /// replica count scales; everything else keeps its processes. `services` and
    /// `profiles` select as `msvc up` does; services running but not selected are left alone.
    public func apply(_ new: LoadedStack, services names: [String], profiles: [String]) async throws -> ApplyResult {
        if let refusal = options.applyRefusal { throw ControlError.invalid(refusal) }
        guard lifecycle == .running || lifecycle == .prepared else { throw ControlError.invalid("the stack is shutting down") }
        let selected: [String]
        do { selected = try select(new.config, services: names, profiles: profiles) } catch { throw ControlError.usage(error.description) }
        let removed = order.filter { new.config.services[$0] == nil || new.config.services[$0]!.disabled }
        let touched = Array(Set(order + selected))
        return try await exclusive(touched) { try await reconcile(new, selected: selected, removed: removed) }
    }

    /// The body of `apply`, inside `exclusive` on every service it may touch.
    private func reconcile(_ new: LoadedStack, selected: [String], removed: [String]) async throws -> ApplyResult {
        let oldStack = loaded.config
        let added = selected.filter { services[$0] == nil }
        var changes: [ApplyResult.Change] = []
        var unchanged: [String] = []
        var restart: [(String, String)] = []
        var scale: [(String, Int, Int)] = []
        var start: [String] = []
        for name in selected where services[name] != nil {
            let before = services[name]!.config, after = new.config.services[name]!
            let newEnvironment = ReplicaEnvironment(stack: new.config, directory: new.directory, base: options.environment)
            let reasons = Self.restartReasons(before, after, beforeEnv: services[name]!.definedEnv,
                                               afterEnv: newEnvironment.definedEnvironment(after))
            if !reasons.isEmpty {
                restart.append((name, reasons.joined(separator: ", ")))
            } else if before.replicas != after.replicas {
                scale.append((name, services[name]!.replicas.count, after.replicas))
            } else if services[name]!.ordered.allSatisfy({ if case .stopped = $0.phase { true } else { false } }) {
                start.append(name)
            } else {
                unchanged.append(name)
            }
        }
        // Check what the new processes need before touching anything.
        do {
            let fresh = (added + restart.map(\.0)).map { new.config.services[$0]! }
            try checkPrograms(fresh)
            try checkFixedPorts(fresh.filter { oldStack.services[$0.name]?.allPorts.map(\.spec) != $0.allPorts.map(\.spec) })
        } catch {
            throw ControlError.invalid(error.description)
        }

        // The new definition becomes the running one.
        loaded = new
        graph = StackGraph(new.config)
        environment = ReplicaEnvironment(stack: new.config, directory: new.directory, base: options.environment,
                                         dataDirectory: options.stateDirectory.data)

        for name in removed {
            await withTaskGroup(of: Void.self) { group in
                for r in services[name]?.ordered ?? [] { group.addTask { await self.stopReplica(r.id) } }
            }
            if let s = services.removeValue(forKey: name) {
                await s.balancer?.stop()
                for r in s.ordered { outputs.forget(r.id); releasePorts(r.ports.values) }
                if let p = s.port { releasePorts([p]) }
            }
            changes.append(.stopped(name))
        }
        order = new.config.services.keys.filter { services[$0] != nil || selected.contains($0) }
        for name in added {
            services[name] = Service(config: new.config.services[name]!, port: nil, balancer: nil, replicas: [:], desired: 0, definedEnv: nil)
            do {
                try allocate(name)
                try await openBalancer(name)
            } catch {
                throw ControlError.invalid(error.description)
            }
        }
        for name in selected where services[name] != nil { services[name]!.config = new.config.services[name]! }
        discovery = Discovery.stackVariables(new.config, ports: portAssignment())
        for name in added {
            for r in services[name]!.ordered { launchLoop(r.id) }
            changes.append(.started(name))
        }
        for name in start {
            for r in services[name]!.ordered where r.phase.isTerminal { launchLoop(r.id) }
            changes.append(.started(name))
        }
        for (name, from, to) in scale {
            try await scaleService(name, to: to)
            changes.append(.scaled(name, from: from, to: to))
        }
        for (name, why) in restart {
            if let problem = await reconfigure(name, old: oldStack.services[name]!) {
                changes.append(.restartFailed(name, reason: problem))
            } else {
                changes.append(.restarted(name, reason: why))
            }
        }
        PortMemory.write(rememberedPorts, to: options.stateDirectory)
        // Watch mode follows the new definitions.
        for name in removed where watches.removeValue(forKey: name) != nil { watcher?.remove(name) }
        for (name, settings) in watchedServices(options.watch) where watches[name]?.settings != settings {
            if watcher == nil { startWatching() } else { subscribe(name, settings) }
        }
        for name in Array(watches.keys) where !watchedServices(options.watch).contains(where: { $0.0 == name }) {
            watches[name] = nil
            watcher?.remove(name)
        }
        writeRunRecord()
        changed()
        return ApplyResult(changes: changes, unchanged: unchanged)
    }

    /// Restarts a service under its new definition: new ports and balancer when its port
    /// spec changed, the replica count it asks for, then a rolling restart where possible.
    private func reconfigure(_ name: String, old: ServiceConfig) async -> String? {
        guard let config = services[name]?.config else { return nil }
        var portChanged = old.port != config.port || old.ports != config.ports
        if portChanged, old.port == config.port, config.port != .none, old.ports.values.allSatisfy({ $0 == .auto }),
           config.ports.values.allSatisfy({ $0 == .auto }) {
            // Only auto named ports were added or removed: new processes get fresh ones anyway.
            portChanged = false
        }
        if portChanged {
            // A different service port: stop everything, then start over on the new ports.
            await withTaskGroup(of: Void.self) { group in
                for r in services[name]!.ordered { group.addTask { await self.stopReplica(r.id) } }
            }
            let s = services[name]!
            await s.balancer?.stop()
            for r in s.ordered { releasePorts(r.ports.values) }
            if let p = s.port { releasePorts([p]) }
            services[name] = Service(config: config, port: nil, balancer: nil, replicas: [:], desired: 0, definedEnv: nil)
            do {
                try allocate(name)
                try await openBalancer(name)
            } catch {
                return error.description
            }
            discovery = Discovery.stackVariables(loaded.config, ports: portAssignment())
            for r in services[name]!.ordered { launchLoop(r.id) }
            return nil
        }
        if services[name]!.replicas.count != config.replicas {
            try? await scaleService(name, to: config.replicas)
        }
        for r in services[name]!.ordered where r.phase.isTerminal { launchLoop(r.id) }
        return await restartService(name)
    }

    /// Why `after` needs new processes where `before` runs: the keys whose change a running
    /// process cannot pick up (command, folder, environment including env files, ports,
    /// probes). Empty when a restart is not needed; replicas, restart policy, stop settings,
    /// labels and the like apply in place.
    static func restartReasons(_ before: ServiceConfig, _ after: ServiceConfig, beforeEnv: [String: String]?,
                               afterEnv: [String: String]) -> [String] {
        var reasons: [String] = []
        if before.command != after.command { reasons.append("command changed") }
        if before.cwd != after.cwd { reasons.append("cwd changed") }
        if let beforeEnv, beforeEnv != afterEnv { reasons.append("env changed") }
        if before.port != after.port || before.ports != after.ports { reasons.append("ports changed") }
        if before.health != after.health { reasons.append("health changed") }
        if before.liveness != after.liveness { reasons.append("liveness changed") }
        return reasons
    }
}
