package org.graft.train;

/**
 * What one pass over the training images gave.
 *
 * @param trainLoss     the mean loss over the epoch's batches, weighted by their sizes
 * @param trainAccuracy the share of training images classified right while fitting; NaN where measuring it would
 *                      cost an extra pass (fine-tuning)
 * @param examples      how many images were fitted
 */
public record EpochResult(double trainLoss, double trainAccuracy, long examples) {
}
