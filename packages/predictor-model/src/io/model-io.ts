import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
// Registers the custom layers, so any process that loads a model through this module knows them.
import '../model/multi-head-attention.js';
import '../model/last-timestep.js';
import '../model/layer-norm.js';

/** A model as plain data: the layers topology (JSON), the weight manifest and the weights. */
export interface ModelArtifacts {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const META_FILE = 'meta.json';

/**
 * The model's artifacts in memory. tfjs has no file:// handler without tfjs-node, so we save
 * through withSaveHandler and write the files ourselves (DEPENDENCIES.md).
 */
export async function captureArtifacts(model: tf.LayersModel): Promise<ModelArtifacts> {
  let captured: ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      if (!a.modelTopology || !a.weightSpecs || !a.weightData) throw new Error('the model produced no topology or weights');
      const weightData = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
      captured = { modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs, weightData };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (!captured) throw new Error('model.save did not call the save handler');
  return captured;
}

/** A model from its artifacts (the custom layers are registered by this module's imports). */
export function restoreModel(a: ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
}

/**
 * Writes model.json (tfjs layers format: topology + weightsManifest pointing at weights.bin),
 * weights.bin and meta.json into `dir`. Written into a sibling temp folder and renamed, so a
 * reader never sees half a model.
 */
export async function writeModelDir(dir: string, a: ModelArtifacts, meta: unknown): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
    };
    await writeFile(join(tmp, MODEL_FILE), JSON.stringify(modelJson));
    await writeFile(join(tmp, WEIGHTS_FILE), new Uint8Array(a.weightData));
    await writeFile(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Reads what writeModelDir wrote. */
export async function readModelDir(dir: string): Promise<{ artifacts: ModelArtifacts; meta: unknown }> {
  const [modelText, weights, metaText] = await Promise.all([
    readFile(join(dir, MODEL_FILE), 'utf8'),
    readFile(join(dir, WEIGHTS_FILE)),
    readFile(join(dir, META_FILE), 'utf8'),
  ]);
  const modelJson = JSON.parse(modelText) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  return {
    artifacts: { modelTopology: modelJson.modelTopology, weightSpecs, weightData: toArrayBuffer(weights) },
    meta: JSON.parse(metaText) as unknown,
  };
}

/** A standalone ArrayBuffer of exactly these bytes (a Buffer may be a view into a shared pool). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}
