import FairwayCore
import Foundation

/// The largest share figure accepted from the wire (requests/s, steps): far above any cluster.
let maxCloudFigure = 1e12

func checkedFigure(_ x: Double, field: String) throws -> Double {
    guard x.isFinite, x >= 0, x <= maxCloudFigure else {
        throw FairwayError(.invalidField, "must be a finite number in [0, \(maxCloudFigure)], got \(x)", field: field)
    }
    return x
}

extension EdgeResources {
    init(wire w: Fairway_V1_EdgeResources, field: String) throws {
        self.init(inferenceRPS: w.inferenceRps, trainingSteps: w.trainingSteps, labelledSamples: w.labelledSamples, shardSamples: w.shardSamples,
                  gammaInference: w.gammaInference, gammaCompute: w.gammaCompute, gammaLabels: w.gammaLabels, gammaPoints: w.gammaPoints)
        try validate(field: field)
    }

    var wire: Fairway_V1_EdgeResources {
        var w = Fairway_V1_EdgeResources()
        w.inferenceRps = inferenceRPS
        w.trainingSteps = trainingSteps
        w.labelledSamples = labelledSamples
        w.shardSamples = shardSamples
        w.gammaInference = gammaInference
        w.gammaCompute = gammaCompute
        w.gammaLabels = gammaLabels
        w.gammaPoints = gammaPoints
        return w
    }
}

extension CloudShare {
    init(wire w: Fairway_V1_CloudShare, field: String) throws {
        self.init(epoch: w.epoch, inferenceRPS: try checkedFigure(w.inferenceRps, field: "\(field).inference_rps"),
                  inferenceQuota: w.inferenceQuota, inferenceUsed: w.inferenceUsed,
                  trainingSteps: try checkedFigure(w.trainingSteps, field: "\(field).training_steps"), labels: w.labels)
    }

    var wire: Fairway_V1_CloudShare {
        var w = Fairway_V1_CloudShare()
        w.epoch = epoch
        w.inferenceRps = inferenceRPS
        w.inferenceQuota = inferenceQuota
        w.inferenceUsed = inferenceUsed
        w.trainingSteps = trainingSteps
        w.labels = labels
        return w
    }
}

extension CloudInferenceRequest {
    init(wire w: Fairway_V1_CloudInferenceRequest) throws {
        guard w.requestID.count <= 64 else {
            throw FairwayError(.invalidField, "must be at most 64 bytes, got \(w.requestID.count)", field: "cloud_inference_request.request_id")
        }
        guard w.features.count <= InferenceRequest.maxFeatures else {
            throw FairwayError(.invalidField, "at most \(InferenceRequest.maxFeatures) features, got \(w.features.count)", field: "cloud_inference_request.features")
        }
        if let i = w.features.firstIndex(where: { !$0.isFinite }) {
            throw FairwayError(.invalidField, "features must be finite", field: "cloud_inference_request.features[\(i)]")
        }
        self.init(requestID: [UInt8](w.requestID), agentID: try NodeID(w.agentID, field: "cloud_inference_request.agent_id"), cost: w.cost, features: w.features)
    }

    var wire: Fairway_V1_CloudInferenceRequest {
        var w = Fairway_V1_CloudInferenceRequest()
        w.requestID = Data(requestID)
        w.agentID = agentID.rawValue
        w.cost = cost
        w.features = features
        return w
    }
}

extension CloudInferenceReply {
    init(wire w: Fairway_V1_CloudInferenceReply) throws {
        guard w.label >= -1 else {
            throw FairwayError(.invalidField, "label must be -1 (none) or ≥ 0, got \(w.label)", field: "cloud_inference_reply.label")
        }
        guard w.confidence.isFinite, w.confidence >= 0, w.confidence <= 1 else {
            throw FairwayError(.invalidField, "confidence must be a probability in [0, 1], got \(w.confidence)", field: "cloud_inference_reply.confidence")
        }
        self.init(label: w.label, confidence: w.confidence, moduleVersion: w.moduleVersion, quotaRemaining: w.quotaRemaining, epoch: w.epoch)
    }

    var wire: Fairway_V1_CloudInferenceReply {
        var w = Fairway_V1_CloudInferenceReply()
        w.label = label
        w.confidence = confidence
        w.moduleVersion = moduleVersion
        w.quotaRemaining = quotaRemaining
        w.epoch = epoch
        return w
    }
}

extension CloudStatus {
    init(wire w: Fairway_V1_CloudStatus) throws {
        try checkedCount(w.edges.count, field: "cloud_status.edges")
        self.init(epoch: w.epoch, inferenceRPS: try checkedFigure(w.inferenceRps, field: "cloud_status.inference_rps"),
                  trainingSteps: try checkedFigure(w.trainingSteps, field: "cloud_status.training_steps"), labellingBudget: w.labellingBudget,
                  allocator: try checkedString(w.allocator, field: "cloud_status.allocator", max: 64),
                  inferenceUtility: w.inferenceUtility, trainingUtility: w.trainingUtility,
                  edges: try w.edges.enumerated().map { i, r in
                      let f = "cloud_status.edges[\(i)]"
                      return Row(edgeID: try NodeID(r.edgeID, field: "\(f).edge_id"), name: try checkedName(r.name, field: "\(f).name"),
                                 reported: r.hasReported ? try EdgeResources(wire: r.reported, field: "\(f).reported") : nil,
                                 share: try CloudShare(wire: r.share, field: "\(f).share"), offloadedTotal: r.offloadedTotal, refusedTotal: r.refusedTotal)
                  })
    }

    var wire: Fairway_V1_CloudStatus {
        var w = Fairway_V1_CloudStatus()
        w.epoch = epoch
        w.inferenceRps = inferenceRPS
        w.trainingSteps = trainingSteps
        w.labellingBudget = labellingBudget
        w.allocator = allocator
        w.inferenceUtility = inferenceUtility
        w.trainingUtility = trainingUtility
        w.edges = edges.map { r in
            var row = Fairway_V1_CloudEdgeRow()
            row.edgeID = r.edgeID.rawValue
            row.name = r.name
            if let reported = r.reported { row.reported = reported.wire }
            row.share = r.share.wire
            row.offloadedTotal = r.offloadedTotal
            row.refusedTotal = r.refusedTotal
            return row
        }
        return w
    }
}
