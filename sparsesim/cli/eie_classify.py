"""`sparsesim --accel eie` on a model carrying real test images: classify them on the
simulator (each layer fed the previous layer's simulated output) and with numpy."""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.eie import model as eie
from sparsesim.workloads.layer import Workload
from sparsesim.workloads.model_file import LabelledImages


def numpy_outputs(workload: Workload, images: np.ndarray, config: eie.EIEConfig) -> np.ndarray:
    """The chain computed by numpy alone (float64, each layer fed numpy's previous output)
    with the weights EIE holds: the model's, after EIE's 16-entry weight sharing (equal
    to the model's own when it is already shared to <= 15 float16 values per layer)."""
    x = images.astype(np.float64).T
    for layer in workload.layers:
        compiled = eie.compile(layer, config)
        codes = compiled.codes.to_dense()  # with the bias column, if any
        weights = compiled.codebook.astype(np.float64)[codes]  # codebook[0] == 0
        if layer.bias is not None:
            x = np.vstack([x, np.ones((1, x.shape[1]))])
        x = weights @ x
        x = np.maximum(x, 0.0) if layer.relu else x
    return x.T


def classification(workload: Workload, test: LabelledImages, config: eie.EIEConfig,
                   engine: str, limit: int | None) -> tuple[dict, str]:
    """Classify the model's real test images on the simulator and with numpy."""
    images, labels = test.images[:limit], test.labels[:limit]
    simulated = eie.classify(workload, images, config, engine=engine)
    predicted_sim = simulated.outputs.argmax(axis=1)
    predicted_np = numpy_outputs(workload, images, config).argmax(axis=1)
    doc = {"images": len(labels),
           "accuracy_simulated": float(np.mean(predicted_sim == labels)),
           "accuracy_numpy": float(np.mean(predicted_np == labels)),
           "predictions_agree": int(np.sum(predicted_sim == predicted_np)),
           "classification_output_ok": simulated.output_ok,
           "cycles_per_image_mean": float(simulated.cycles.mean())}
    text = (f"classified {doc['images']} real test images through the simulated chain: "
            f"accuracy_simulated {doc['accuracy_simulated']:.4f}, accuracy_numpy "
            f"{doc['accuracy_numpy']:.4f}, predictions agree on {doc['predictions_agree']}/"
            f"{doc['images']}, every layer output "
            f"{'ok' if simulated.output_ok else 'WRONG'}, "
            f"{doc['cycles_per_image_mean']:.0f} cycles per image on average")
    return doc, text
